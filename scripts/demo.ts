// The main demo, as local processes on loopback (no Docker needed): the demo app with its workers, and
// the sidecars next to it. `pnpm demo`; Ctrl-C stops everything. Ports: DEMO_APP_PORT (3000), TOPZ_PORT (8080).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { findProgram, repoRoot } from './programs.ts';

const appPort = process.env.DEMO_APP_PORT ?? '3000';
const topzPort = process.env.TOPZ_PORT ?? '8080';

const built = spawnSync(process.execPath, ['scripts/build.ts'], { cwd: repoRoot, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const running: ChildProcess[] = [];
function start(program: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, [findProgram(program).bundle, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, [`${program.replace(/-/g, '_').toUpperCase()}_LOG_LEVEL`]: 'warn' },
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`demo: ${program} exited (${signal ?? code}); stopping the demo`);
      void stop(1);
    }
  });
  running.push(child);
  return child;
}

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\ndemo: stopping…');
  await Promise.all(
    running.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

async function waitReady(url: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not ready after ${ms} ms`);
}

start('demo-app', ['--addr', `127.0.0.1:${appPort}`]);
start('topz', ['--addr', `127.0.0.1:${topzPort}`]);
try {
  await Promise.all([
    waitReady(`http://127.0.0.1:${appPort}/readyz`),
    waitReady(`http://127.0.0.1:${topzPort}/readyz`),
  ]);
} catch (error) {
  console.error(`demo: ${(error as Error).message}`);
  await stop(1);
}

console.log(`
The demo is running. Open or try:

  app          curl http://127.0.0.1:${appPort}/
  topz         http://127.0.0.1:${topzPort}/            the live process page (type "demo-app" in the filter)
               curl http://127.0.0.1:${topzPort}/topz   the plain-text table
               curl http://127.0.0.1:${topzPort}/api/processes
               curl http://127.0.0.1:${topzPort}/metrics

Here topz sees every process of this machine; next to a container it sees only the app's
(docker run --pid=container:APP toolkit/topz, or the pod in k8s/topz/). For that version of the demo:
  bash scripts/run.sh images   # with TOOLKIT_LOCAL_BASE=1 in front where no registry can be reached
  docker-compose -p topz-demo -f compose/topz.yaml up

Ctrl-C stops the demo.`);
