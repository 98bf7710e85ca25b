// Benchmark: requests/s and p99 through tls-proxy, nginx and directly, in one run.
//   pnpm bench tls-proxy     (or: node bench/tls-proxy/run.ts)
// BENCH_SECONDS (8) per measured run, BENCH_ROUNDS (3) rounds taken in turn across the targets after a
// 3 s warm-up each (a shared machine drifts: the median of interleaved rounds is fairer than one long
// run each), BENCH_CONNECTIONS (50), BENCH_THREADS (1).
// wrk with keep-alive against, on 127.0.0.1 only:
//   direct       the app (a Node server answering 12 bytes), plain HTTP
//   nginx        Debian's nginx, one worker, TLS, upstream keep-alive to the same app
//   tls-proxy    one process (the bundle if built): --workers 1 (the default: main thread only), then
//                --workers 0 (one worker thread per usable CPU), access log off, then --workers 1 with it on
//   node-minimal an https server piping to http.request with a keep-alive agent: Node's floor
// Besides req/s and latency, the CPU time each target's processes used per request (from /proc, threads
// included; nginx: its worker): unlike req/s it hardly moves when other work shares the machine.
// nginx runs from a config in a temp dir, which is removed at the end; everything is stopped on exit.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate } from '../../packages/tls-proxy/src/tls/self-signed.ts';
import { writeNginxConfig } from './nginx.ts';
import { findFreePort, Managed, programFile, waitForPort } from './processes.ts';
import { runWrk, type WrkOptions, type WrkResult } from './wrk.ts';

const options: WrkOptions = {
  threads: Number(process.env.BENCH_THREADS ?? 1),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
  seconds: Number(process.env.BENCH_SECONDS ?? 8),
};
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const temp = mkdtempSync(join(tmpdir(), 'tls-proxy-bench-'));
const processes: Managed[] = [];
const overall = setTimeout(() => {
  console.error('bench: over 5 minutes, giving up');
  void cleanUp().finally(() => process.exit(1));
}, 300_000);

async function cleanUp(): Promise<void> {
  await Promise.all(processes.map((p) => p.stop()));
  rmSync(temp, { recursive: true, force: true });
}

function start(command: string, args: string[]): Managed {
  const managed = new Managed(command, args);
  processes.push(managed);
  return managed;
}

interface Target {
  name: string;
  url: string;
  /** The processes that serve it, whose CPU time is counted (threads included). */
  pids: () => number[];
  runs: (WrkResult & { cpuUsPerRequest: number })[];
}

/** CPU time (user + system, all threads) of the processes so far, in µs; Linux's 100 ticks a second. */
function cpuMicros(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10_000;
}

/** nginx's worker: the master's child. */
function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
}

/** The run with the median req/s, so its p99 comes from the same run. */
function medianRun<R extends WrkResult>(runs: R[]): R {
  return [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(runs.length / 2)]!;
}

async function measure(targets: Target[]): Promise<void> {
  for (const target of targets) await runWrk(target.url, { ...options, seconds: 3 });
  for (let round = 1; round <= rounds; round += 1) {
    for (const target of targets) {
      const pids = target.pids();
      const cpuBefore = cpuMicros(pids);
      const result = await runWrk(target.url, options);
      const cpuUsPerRequest =
        (cpuMicros(pids) - cpuBefore) / Math.max(1, result.requestsPerSecond * options.seconds);
      target.runs.push({ ...result, cpuUsPerRequest });
      console.error(
        `  round ${round} ${target.name}: ${Math.round(result.requestsPerSecond)} req/s, p99 ${result.p99Ms.toFixed(2)} ms, ` +
          `${Math.round(cpuUsPerRequest)} µs CPU/request`,
      );
    }
  }
}

try {
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const material = await createSelfSignedCertificate(['localhost', '127.0.0.1']);
  const cert = join(temp, 'tls.crt');
  const key = join(temp, 'tls.key');
  writeFileSync(cert, material.cert);
  writeFileSync(key, material.key);

  const app = start(process.execPath, [join(import.meta.dirname, 'upstream.ts')]);
  const appPort = Number((await app.waitFor(/^(\d+)$/m))[1]);
  const upstream = `http://127.0.0.1:${appPort}`;
  console.error(
    `bench: wrk -t${options.threads} -c${options.connections} -d${options.seconds}s, app on ${upstream}`,
  );

  const nginxPort = await findFreePort();
  const nginx = start('nginx', [
    '-c',
    writeNginxConfig(join(temp, 'nginx'), nginxPort, appPort, cert, key),
    '-p',
    join(temp, 'nginx'),
  ]);
  await waitForPort(nginxPort);

  const proxyArgs = [
    '--listen',
    '127.0.0.1:0',
    '--admin-addr',
    '127.0.0.1:0',
    '--upstream',
    upstream,
    '--tls-cert',
    cert,
    '--tls-key',
    key,
  ];
  const startProxy = async (extra: string[]) => {
    const proxy = start(process.execPath, [programFile, ...proxyArgs, ...extra]);
    const up = await proxy.waitFor(
      /"address":"127\.0\.0\.1:(\d+)"[^\n]*"workers":(\d+)[^\n]*HTTPS listener up/,
    );
    return { port: up[1], workers: up[2], pid: proxy.child.pid! };
  };
  const single = await startProxy(['--workers', '1', '--no-access-log']);
  const threaded = await startProxy(['--workers', '0', '--no-access-log']);
  const logged = await startProxy(['--workers', '1']);
  const minimal = start(process.execPath, [
    join(import.meta.dirname, 'minimal-forwarder.ts'),
    cert,
    key,
    String(appPort),
  ]);
  const minimalPort = Number((await minimal.waitFor(/^(\d+)$/m))[1]);

  const target = (name: string, url: string, pids: () => number[]): Target => ({ name, url, pids, runs: [] });
  const targets = [
    target('direct (plain HTTP)', `${upstream}/`, () => [app.child.pid!]),
    target('nginx (1 worker, TLS)', `https://127.0.0.1:${nginxPort}/`, () => childrenOf(nginx.child.pid!)),
    target('tls-proxy --workers 1', `https://127.0.0.1:${single.port}/`, () => [single.pid]),
    target(`tls-proxy --workers 0 (${threaded.workers} here)`, `https://127.0.0.1:${threaded.port}/`, () => [
      threaded.pid,
    ]),
    target('tls-proxy --workers 1, access log on', `https://127.0.0.1:${logged.port}/`, () => [logged.pid]),
    target('node-minimal (floor)', `https://127.0.0.1:${minimalPort}/`, () => [minimal.child.pid!]),
  ];
  await measure(targets);
  const nginxResult = medianRun(targets[1]!.runs);
  console.log(
    `\ntls-proxy benchmark: ${programFile.endsWith('.mjs') ? 'bundle' : 'sources'}, Node ${process.version}, ` +
      `wrk -t${options.threads} -c${options.connections} -d${options.seconds}s, median of ${rounds} interleaved rounds`,
  );
  console.log(
    `${availableParallelism()} CPUs, shared by wrk, the app and the target under test; load average ` +
      `${loadBefore} before the run, ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} after ` +
      '(other work on the machine lowers req/s and raises p99; CPU µs/request moves much less).',
  );
  console.log(
    '| target | req/s | p50 ms | p99 ms | errors | req/s vs nginx | p99 vs nginx | CPU µs/request (median) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const { name, runs } of targets) {
    const r = medianRun(runs);
    const errors = runs.reduce((sum, run) => sum + run.errors, 0);
    console.log(
      `| ${name} | ${Math.round(r.requestsPerSecond)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${errors} | ` +
        `${(r.requestsPerSecond / nginxResult.requestsPerSecond).toFixed(2)} | ${(r.p99Ms / nginxResult.p99Ms).toFixed(2)} | ` +
        `${Math.round(runs.map((run) => run.cpuUsPerRequest).sort((a, b) => a - b)[Math.floor(runs.length / 2)]!)} |`,
    );
  }
} catch (error) {
  console.error(`bench failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  clearTimeout(overall);
  await cleanUp();
}
