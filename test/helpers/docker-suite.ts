// What every Docker e2e test file starts with: the Docker status from the global setup and the
// skip notes for suite titles, the hardening flags, containers to remove afterwards, and a Compose
// project with a unique name.
import { join } from 'node:path';
import { inject } from 'vitest';
import { repoRoot } from '../../scripts/programs.ts';
import {
  type CommandResult,
  type DockerStatus,
  docker,
  removeContainers,
  runCommand,
  testLabel,
  uniqueName,
} from './docker.ts';

export interface DockerSuite {
  status: DockerStatus;
  /** ` (skipped: why)` for the suite title when Docker is unavailable, else empty. */
  skipped: string;
  /** ` (skipped: …)` for a Compose suite title when Docker works but Compose does not, else empty. */
  noCompose: string;
}

/** The Docker status the global setup provided, with the notes for skipped suites' titles. */
export function dockerSuite(): DockerSuite {
  const status = inject('docker');
  return {
    status,
    skipped: status.available ? '' : ` (skipped: ${status.reason})`,
    noCompose: status.available && !status.compose ? ' (skipped: no docker-compose or docker compose)' : '',
  };
}

/** Flags that make a container as locked down as the Kubernetes manifests make it. */
export const hardened: readonly string[] = [
  '--read-only',
  '--tmpfs',
  '/tmp',
  '--cap-drop',
  'ALL',
  '--user',
  '65532:65532',
  '--security-opt',
  'no-new-privileges',
];

/** Names of the containers a suite makes, to remove (with `remove`) in its afterAll. */
export class Containers {
  readonly #names: string[] = [];

  /** A unique container name from `prefix`, recorded for removal. */
  name(prefix: string): string {
    const name = uniqueName(prefix);
    this.#names.push(name);
    return name;
  }

  /** `docker run -d` with a name to clean up; returns the name. */
  async start(name: string, args: readonly string[]): Promise<string> {
    this.#names.push(name);
    await docker(['run', '--detach', '--name', name, '--label', testLabel, ...args]);
    return name;
  }

  remove(): Promise<void> {
    return removeContainers(this.#names);
  }
}

/**
 * A Compose project with a unique name from `prefix` for the file `compose/<file>`; `compose` runs
 * the Compose command on it with `env()` (read at each call) and `extraEnv` over the process's own.
 */
export function composeProject(
  status: DockerStatus,
  prefix: string,
  file: string,
  env: () => Record<string, string>,
): {
  project: string;
  compose: (args: readonly string[], extraEnv?: Record<string, string>) => Promise<CommandResult>;
} {
  const project = uniqueName(prefix).replace(/[^a-z0-9-]/g, '');
  const compose = (args: readonly string[], extraEnv: Record<string, string> = {}) =>
    runCommand(
      status.compose![0]!,
      [
        ...status.compose!.slice(1),
        '--project-name',
        project,
        '--file',
        join(repoRoot, 'compose', file),
        ...args,
      ],
      { timeoutMs: 90_000, env: { ...process.env, ...env(), ...extraEnv } },
    );
  return { project, compose };
}
