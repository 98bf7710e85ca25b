import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../programs.ts';
import { type DemoPorts, portEnvName } from './ports.ts';
import type { DemoWorkspace } from './workspace.ts';

export const composeFile = join(repoRoot, 'compose', 'demo.yaml');

/** `docker compose` (v2) where it is installed, else `docker-compose` (v1, Debian's). */
export function composeCommand(): string[] {
  const v2 = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  return v2.status === 0 ? ['docker', 'compose'] : ['docker-compose'];
}

/** What compose/demo.yaml reads: the workspace and the host ports. */
export function composeEnv(workspace: DemoWorkspace, ports: DemoPorts): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DEMO_DIR: workspace.dir };
  for (const [key, port] of Object.entries(ports)) env[portEnvName(key)] = String(port);
  return env;
}

export function compose(
  project: string,
  env: NodeJS.ProcessEnv,
  args: readonly string[],
  timeoutMs = 180_000,
) {
  const [command, ...prefix] = composeCommand();
  const result = spawnSync(command!, [...prefix, '-p', project, '-f', composeFile, ...args], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return {
    code: result.status,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? String(result.error ?? ''),
  };
}
