// Runs `pnpm demo` (scripts/demo.ts) as a user does, on free loopback ports and in a workspace the test
// names, and stops it with SIGINT as Ctrl-C does.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@toolkit/test-helpers';
import { type DemoPorts, demoPortDefaults, portEnvName } from '../../scripts/demo/ports.ts';
import { type DemoWorkspace, workspacePaths } from '../../scripts/demo/workspace.ts';
import { repoRoot } from '../../scripts/programs.ts';

export interface RunningDemo {
  child: ChildProcess;
  workspace: DemoWorkspace;
  ports: DemoPorts;
  /** Everything the demo printed so far, stdout and stderr. */
  output(): string;
  /** SIGINT (Ctrl-C); answers the exit code, or null if it did not exit within `ms`. */
  interrupt(ms: number): Promise<number | null>;
}

export async function startDemo(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<RunningDemo> {
  const ports = {} as DemoPorts;
  const portEnv: Record<string, string> = {};
  for (const key of Object.keys(demoPortDefaults) as (keyof DemoPorts)[]) {
    ports[key] = await freePort();
    portEnv[portEnvName(key)] = String(ports[key]);
  }
  const dir = join(mkdtempSync(join(tmpdir(), 'demo-test-')), 'workspace');
  const child = spawn(process.execPath, ['scripts/demo.ts', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...portEnv, ...env, DEMO_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    workspace: workspacePaths(dir),
    ports,
    output: () => output,
    interrupt: async (ms) => {
      if (child.exitCode === null) child.kill('SIGINT');
      return Promise.race([exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), ms))]);
    },
  };
}

/** Waits for the guide (the demo is up), failing early with the output when the demo exits first. */
export async function waitForGuide(demo: RunningDemo, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (demo.output().includes('The demo is running')) return;
    if (demo.child.exitCode !== null)
      throw new Error(`the demo exited with ${demo.child.exitCode}:\n${demo.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the demo was not up within ${ms} ms:\n${demo.output()}`);
}
