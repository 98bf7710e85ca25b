// The main demo: the demo app with all five sidecars next to it, and a guide to what to open and try.
//   pnpm demo             local processes on loopback (no Docker needed); Ctrl-C stops them all
//   pnpm demo --compose   the same with the images (compose/demo.yaml; `pnpm images` first)
//   pnpm demo --tour      either, then walk one step per sidecar and print what each did
// Ports: scripts/demo/ports.ts (DEMO_HTTPS_PORT=9443 and the like). DEMO_DIR=DIR keeps the workspace
// (the git remote, the config source, logs) in DIR instead of a temporary directory removed at the end.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compose, composeEnv } from './demo/compose.ts';
import { demoGuide } from './demo/guide.ts';
import { LocalDemo, localCommands } from './demo/local.ts';
import { demoPorts } from './demo/ports.ts';
import { httpsGet, runTour } from './demo/tour.ts';
import { createWorkspace } from './demo/workspace.ts';
import { listPrograms, repoRoot } from './programs.ts';

const { values: flags } = parseArgs({
  options: { compose: { type: 'boolean', default: false }, tour: { type: 'boolean', default: false } },
});

function fail(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(2);
}

let ports: ReturnType<typeof demoPorts>;
try {
  ports = demoPorts();
} catch (error) {
  fail((error as Error).message);
}
const keepDir = process.env.DEMO_DIR;
if (keepDir && existsSync(keepDir) && readdirSync(keepDir).length > 0) {
  fail(`DEMO_DIR=${keepDir} is not empty: remove it, or name a new directory`);
}
const dir = keepDir ?? mkdtempSync(join(tmpdir(), 'toolkit-demo-'));
const workspace = createWorkspace(dir);
const project = process.env.DEMO_COMPOSE_PROJECT ?? 'toolkit-demo';
const env = composeEnv(workspace, ports);
/** The temporary workspace goes with the demo; a DEMO_DIR stays. */
const removeTemporaryWorkspace = () => {
  if (!keepDir) rmSync(dir, { recursive: true, force: true });
};

let stopping = false;
const local = new LocalDemo((program, how) => {
  console.error(`demo: ${program} exited (${how}); stopping the demo`);
  void stop(1);
});

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\ndemo: stopping…');
  if (flags.compose) {
    const down = compose(project, env, ['down', '--volumes', '--timeout', '30']);
    if (down.code !== 0) console.error(down.stderr);
  } else {
    await local.stop();
  }
  removeTemporaryWorkspace();
  console.log('demo: stopped');
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

async function waitReady(what: string, probe: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !stopping) {
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} not ready after ${ms / 1000} s`);
}
const httpReady = (port: number) => async () =>
  (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok;

if (flags.compose) {
  const missing = listPrograms()
    .map((program) => program.name)
    .filter(
      (name) =>
        spawnSync('docker', ['image', 'inspect', `toolkit/${name}:latest`], { stdio: 'ignore' }).status !== 0,
    );
  if (missing.length > 0) {
    removeTemporaryWorkspace();
    fail(
      `no image ${missing.map((name) => `toolkit/${name}:latest`).join(', ')}: run \`pnpm images\` first ` +
        '(TOOLKIT_LOCAL_BASE=1 pnpm images where nothing can be pulled), or `bash scripts/run.sh demo --compose`',
    );
  }
  console.log(`demo: starting compose/demo.yaml as project ${project} (images from \`pnpm images\`)`);
  const up = compose(project, env, ['up', '--detach', '--no-build']);
  if (up.code !== 0) {
    console.error(up.stderr);
    await stop(1);
  }
} else {
  const built = spawnSync(process.execPath, ['scripts/build.ts'], { cwd: repoRoot, stdio: 'inherit' });
  if (built.status !== 0) fail('the build failed');
  const {
    'config-syncer': configSyncer,
    'repo-updater': repoUpdater,
    ...rest
  } = localCommands(workspace, ports);
  // First what the app reads at start (its config, its content), then the app and the other sidecars.
  local.start({ 'config-syncer': configSyncer!, 'repo-updater': repoUpdater! });
  try {
    await Promise.all([
      waitReady('config-syncer', httpReady(ports.configSyncer)),
      waitReady('repo-updater', httpReady(ports.repoUpdater)),
    ]);
  } catch (error) {
    console.error(`demo: ${(error as Error).message}`);
    await stop(1);
  }
  local.start(rest);
}

try {
  await Promise.all([
    waitReady(
      'the app over HTTPS',
      async () => (await httpsGet(`https://127.0.0.1:${ports.https}/readyz`)).status === 200,
    ),
    waitReady('topz', httpReady(ports.topz)),
    waitReady('config-syncer', httpReady(ports.configSyncer)),
    waitReady('repo-updater', httpReady(ports.repoUpdater)),
    waitReady('log-forwarder', httpReady(ports.logForwarder)),
    waitReady('tls-proxy', httpReady(ports.tlsProxy)),
  ]);
} catch (error) {
  console.error(`demo: ${(error as Error).message}`);
  if (flags.compose) console.error(compose(project, env, ['logs', '--tail', '30']).stdout);
  await stop(1);
}

const form = flags.compose ? `in containers (compose project ${project})` : 'as local processes on loopback';
const stopHint = flags.compose
  ? `Ctrl-C stops the demo (docker-compose -p ${project} -f compose/demo.yaml down --volumes).`
  : 'Ctrl-C stops the demo.';
console.log(demoGuide(workspace, ports, form, stopHint));

// The containers run on their own: keep this process (and its Ctrl-C) until the demo is stopped.
if (flags.compose) setInterval(() => {}, 1 << 30);

if (flags.tour) {
  console.log('The tour: one step per sidecar');
  const steps = await runTour(workspace, ports);
  for (const step of steps)
    console.log(`  ${step.ok ? 'ok  ' : 'FAIL'} ${step.program.padEnd(14)} ${step.detail}`);
  const failed = steps.filter((step) => !step.ok).length;
  console.log(failed === 0 ? 'tour: all five did their job' : `tour: ${failed} step(s) failed`);
}
