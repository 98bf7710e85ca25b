// Runs as PID 1 of a private PID namespace (run.ts starts it with unshare): PROCESSES `sleep`s and
// topz (the bundle) serving at --interval 1s. Measures topz's own CPU and RSS over IDLE_SECONDS with no
// client, then over half that with a browser-like client (/api/processes each second, /metrics each
// 5 s). Prints one JSON line. Exiting as PID 1 takes every process of the namespace with it.
import { spawn } from 'node:child_process';
import { cpuSeconds, loadAverage, rssBytes, sleep, waitForProcesses } from './measure.ts';

const [bundle, processArg, secondsArg] = process.argv.slice(2);
const processes = Number(processArg ?? 200);
const idleSeconds = Number(secondsArg ?? 20);

for (let i = 0; i < processes; i++) spawn('sleep', ['600'], { stdio: 'ignore' }).unref();
await waitForProcesses('sleep', processes, 60_000);

const topz = spawn(process.execPath, [bundle!, '--addr', '127.0.0.1:0', '--interval', '1s'], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
let stderr = '';
topz.stderr.on('data', (chunk) => {
  stderr += chunk;
});
const exited = new Promise<number | null>((resolve) => topz.once('exit', (code) => resolve(code)));
let base = '';
for (let waited = 0; !base; waited += 100) {
  const address = /"address":"([\d.]+:\d+)".*"msg":"listening"/.exec(stderr)?.[1];
  if (address) base = `http://${address}`;
  else if (waited > 15_000) throw new Error(`topz did not start:\n${stderr}`);
  else await sleep(100);
}
while ((await fetch(`${base}/readyz`)).status !== 200) await sleep(100);
// Past start-up (JIT, first sweeps opening every file), as it runs for days.
await sleep(3000);

/** topz's CPU (% of one core) and RSS (MB, mean and max) over `seconds`, while `client` runs each second. */
async function measure(seconds: number, client: (second: number) => Promise<void>) {
  const rss: number[] = [];
  const cpuBefore = cpuSeconds(topz.pid!);
  const started = performance.now();
  for (let second = 0; second < seconds; second++) {
    await client(second);
    rss.push(rssBytes(topz.pid!) / 1e6);
    await sleep(Math.max(0, started + (second + 1) * 1000 - performance.now()));
  }
  const elapsed = (performance.now() - started) / 1000;
  return {
    seconds: elapsed,
    cpuPercent: ((cpuSeconds(topz.pid!) - cpuBefore) / elapsed) * 100,
    rssMeanMB: rss.reduce((sum, value) => sum + value, 0) / rss.length,
    rssMaxMB: Math.max(...rss),
  };
}

const idle = await measure(idleSeconds, async () => {});
let seen = 0;
const polled = await measure(Math.ceil(idleSeconds / 2), async (second) => {
  const snapshot = (await (await fetch(`${base}/api/processes`)).json()) as { processes: unknown[] };
  seen = snapshot.processes.length;
  if (second % 5 === 0) await (await fetch(`${base}/metrics`)).text();
});
const metrics = await (await fetch(`${base}/metrics`)).text();
const sweepMs = Number(/^topz_snapshot_duration_seconds (\S+)$/m.exec(metrics)?.[1]) * 1000;
topz.kill('SIGTERM');
const exitCode = await exited;
console.log(JSON.stringify({ processes: seen, load: loadAverage(), sweepMs, idle, polled, exitCode }));
