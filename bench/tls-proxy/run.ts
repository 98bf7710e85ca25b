// Benchmark: CPU time per request, requests/s and latency of tls-proxy's two modes beside their
// anchors, all in front of the same plain-HTTP app, in one run.
//   pnpm bench tls-proxy     (or: node bench/tls-proxy/run.ts; scripts/ensure-proxy-tools.sh installs
//                             Debian's nginx, libnginx-mod-stream, hitch and wrk)
// BENCH_SECONDS (8) per measured run, BENCH_ROUNDS (3) rounds taken in turn across the targets after a
// 3 s warm-up each (a shared machine drifts: the median of interleaved rounds is fairer than one long
// run each), BENCH_CONNECTIONS (50), BENCH_THREADS (1). wrk with keep-alive, on 127.0.0.1 only:
//   direct          the app (a Node server answering 12 bytes), plain HTTP
//   TCP (TLS terminated, bytes passed on):
//     hitch         Debian's hitch, 1 worker                                      (the anchor)
//     nginx stream  Debian's nginx `stream` module, 1 worker
//     tls-proxy --mode tcp, --workers 1 (the default: main thread only), then --workers 0
//     node-minimal-tcp  tls.createServer piping each connection to a new upstream socket: Node's floor
//   HTTP (requests parsed and proxied):
//     nginx         Debian's nginx HTTP proxy, 1 worker, upstream keep-alive      (the anchor)
//     tls-proxy --mode http --workers 1 (h2 offered; wrk uses HTTP/1.1), the same with --no-http2,
//                   --workers 0, access log off; --workers 1 with it on
//     node-minimal  an https server piping to http.request with a keep-alive agent: Node's floor
// The figure that counts is the CPU time each target's processes used per request (from /proc,
// threads and worker processes included): unlike req/s it hardly moves when other work shares the
// machine. Targets (issue 11): tcp ≤ 1.2× hitch's CPU/request and p99 ≤ 2× hitch's; http ≤ 3× nginx's
// CPU/request and p99 ≤ 3× nginx's. Configs live in a temp dir, removed at the end; everything is
// stopped on exit.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate } from '../../packages/tls-proxy/src/tls/self-signed.ts';
import { writeNginxConfig, writeNginxStreamConfig } from './nginx.ts';
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
  console.error('bench: over 15 minutes, giving up');
  void cleanUp().finally(() => process.exit(1));
}, 900_000);

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
  /** The anchor its ratios are taken against (undefined: the anchor itself, or none). */
  anchor?: Target;
  targets?: { cpu: number; p99: number };
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

/** A process and its descendants (nginx's and hitch's workers are the master's children). */
function processTree(pid: number): number[] {
  const children = existsSync(`/proc/${pid}/task/${pid}/children`)
    ? readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number)
    : [];
  return [pid, ...children.flatMap(processTree)];
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
  const pem = join(temp, 'tls.pem');
  writeFileSync(cert, material.cert);
  writeFileSync(key, material.key);
  writeFileSync(pem, material.key + material.cert);

  const app = start(process.execPath, [join(import.meta.dirname, 'upstream.ts')]);
  const appPort = Number((await app.waitFor(/^(\d+)$/m))[1]);
  const upstream = `http://127.0.0.1:${appPort}`;
  console.error(
    `bench: wrk -t${options.threads} -c${options.connections} -d${options.seconds}s, app on ${upstream}`,
  );

  const nginxPort = await findFreePort();
  const nginx = start('nginx', [
    '-e',
    join(temp, 'nginx', 'startup.log'),
    '-c',
    writeNginxConfig(join(temp, 'nginx'), nginxPort, appPort, cert, key),
    '-p',
    join(temp, 'nginx'),
  ]);
  const streamPort = await findFreePort();
  const nginxStream = start('nginx', [
    '-e',
    join(temp, 'nginx', 'startup-stream.log'),
    '-c',
    writeNginxStreamConfig(join(temp, 'nginx'), streamPort, appPort, cert, key),
    '-p',
    join(temp, 'nginx'),
  ]);
  const hitchPort = await findFreePort();
  const hitch = start('hitch', [
    '--daemon=off',
    '--workers=1',
    '--user=nobody',
    `--frontend=[127.0.0.1]:${hitchPort}`,
    `--backend=[127.0.0.1]:${appPort}`,
    '--tls-protos=TLSv1.2 TLSv1.3',
    pem,
  ]);
  await Promise.all([waitForPort(nginxPort), waitForPort(streamPort), waitForPort(hitchPort)]);

  const proxyArgs = [
    '--listen',
    '127.0.0.1:0',
    '--admin-addr',
    '127.0.0.1:0',
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
    return { port: Number(up[1]), workers: Number(up[2]), pid: proxy.child.pid! };
  };
  const tcpArgs = ['--mode', 'tcp', '--upstream', `tcp://127.0.0.1:${appPort}`, '--no-access-log'];
  const tcpSingle = await startProxy([...tcpArgs, '--workers', '1']);
  const tcpThreaded = await startProxy([...tcpArgs, '--workers', '0']);
  const httpArgs = ['--upstream', upstream];
  const single = await startProxy([...httpArgs, '--workers', '1', '--no-access-log']);
  // wrk speaks HTTP/1.1: this pair shows what the http2 server (the default, --http2) costs that path.
  const http1Only = await startProxy([...httpArgs, '--workers', '1', '--no-access-log', '--no-http2']);
  const threaded = await startProxy([...httpArgs, '--workers', '0', '--no-access-log']);
  const logged = await startProxy([...httpArgs, '--workers', '1']);
  const minimal = start(process.execPath, [
    join(import.meta.dirname, 'minimal-forwarder.ts'),
    cert,
    key,
    String(appPort),
  ]);
  const minimalPort = Number((await minimal.waitFor(/^(\d+)$/m))[1]);
  const minimalTcp = start(process.execPath, [
    join(import.meta.dirname, 'minimal-tcp-forwarder.ts'),
    cert,
    key,
    String(appPort),
  ]);
  const minimalTcpPort = Number((await minimalTcp.waitFor(/^(\d+)$/m))[1]);

  const target = (
    name: string,
    port: number | string,
    pids: () => number[],
    extra: Partial<Target> = {},
  ): Target => ({
    name,
    url: `https://127.0.0.1:${port}/`,
    pids,
    runs: [],
    ...extra,
  });
  const tree = (pid: number) => () => processTree(pid);
  const direct: Target = {
    name: 'direct (plain HTTP, no TLS)',
    url: `${upstream}/`,
    pids: tree(app.child.pid!),
    runs: [],
  };
  const hitchTarget = target('hitch 1 worker', hitchPort, tree(hitch.child.pid!));
  const tcpTargets = { anchor: hitchTarget, targets: { cpu: 1.2, p99: 2 } };
  const nginxTarget = target('nginx HTTP proxy, 1 worker', nginxPort, tree(nginx.child.pid!));
  const httpTargets = { anchor: nginxTarget, targets: { cpu: 3, p99: 3 } };
  const targets = [
    direct,
    hitchTarget,
    target('nginx stream, 1 worker', streamPort, tree(nginxStream.child.pid!), { anchor: hitchTarget }),
    target('tls-proxy --mode tcp --workers 1', tcpSingle.port, tree(tcpSingle.pid), tcpTargets),
    target(
      `tls-proxy --mode tcp --workers 0 (${tcpThreaded.workers} here)`,
      tcpThreaded.port,
      tree(tcpThreaded.pid),
      tcpTargets,
    ),
    target('node-minimal-tcp (tls.createServer → net pipe)', minimalTcpPort, tree(minimalTcp.child.pid!), {
      anchor: hitchTarget,
    }),
    nginxTarget,
    target('tls-proxy --mode http --workers 1', single.port, tree(single.pid), httpTargets),
    target('tls-proxy --mode http --workers 1 --no-http2', http1Only.port, tree(http1Only.pid), httpTargets),
    target(
      `tls-proxy --mode http --workers 0 (${threaded.workers} here)`,
      threaded.port,
      tree(threaded.pid),
      httpTargets,
    ),
    target('tls-proxy --mode http --workers 1, access log on', logged.port, tree(logged.pid), httpTargets),
    target('node-minimal (https → http.request)', minimalPort, tree(minimal.child.pid!), {
      anchor: nginxTarget,
    }),
  ];
  await measure(targets);
  const medianCpu = (t: Target) =>
    t.runs.map((run) => run.cpuUsPerRequest).sort((a, b) => a - b)[Math.floor(t.runs.length / 2)]!;
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
    '| target | CPU µs/request | req/s | p50 ms | p99 ms | errors | vs anchor: CPU/request (target) | p99 (target) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const t of targets) {
    const r = medianRun(t.runs);
    const errors = t.runs.reduce((sum, run) => sum + run.errors, 0);
    const anchor = t.anchor;
    const ratio = (value: number, goal: number | undefined) =>
      `${value.toFixed(2)}×${goal === undefined ? '' : ` (≤ ${goal}× ${value <= goal ? 'met' : 'NOT met'})`}`;
    const vs = anchor
      ? `${ratio(medianCpu(t) / medianCpu(anchor), t.targets?.cpu)} | ${ratio(r.p99Ms / medianRun(anchor.runs).p99Ms, t.targets?.p99)}`
      : t === hitchTarget || t === nginxTarget
        ? 'anchor | anchor'
        : ' | ';
    console.log(
      `| ${t.name} | ${Math.round(medianCpu(t))} | ${Math.round(r.requestsPerSecond)} | ${r.p50Ms.toFixed(2)} | ` +
        `${r.p99Ms.toFixed(2)} | ${errors} | ${vs} |`,
    );
  }
} catch (error) {
  console.error(`bench failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  clearTimeout(overall);
  await cleanUp();
}
