// What every Docker e2e test file starts with: the Docker status from the global setup and the
// skip notes for suite titles, the hardening flags, containers to remove afterwards, a Compose
// project with a unique name; and what each checks of its image and of `docker stop`.
import { join } from 'node:path';
import { expect, inject } from 'vitest';
import { repoRoot } from '../../scripts/programs.ts';
import {
  type CommandResult,
  containerState,
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

  /** `docker run --rm` with a unique name from `prefix`, to its end (never throws for a non-zero exit). */
  runToEnd(prefix: string, args: readonly string[], timeoutMs = 30_000): Promise<CommandResult> {
    const name = this.name(prefix);
    return runCommand('docker', ['run', '--rm', '--name', name, '--label', testLabel, ...args], {
      timeoutMs,
    });
  }

  remove(): Promise<void> {
    return removeContainers(this.#names);
  }
}

/** The part of `docker image inspect`'s Config the tests read. */
export interface ImageConfig {
  User: string;
  Entrypoint: string[];
  ExposedPorts: Record<string, unknown>;
  Labels: Record<string, string>;
  Healthcheck: { Test: string[] };
}

/**
 * What every toolkit image has: a numeric non-root user, tini then node running the program's bundle,
 * exactly `ports` exposed, the OCI labels, titled with the program. Returns the image's config for
 * the checks particular to one image.
 */
export async function expectToolkitImage(
  image: string,
  program: string,
  ports: readonly number[],
): Promise<ImageConfig> {
  const config: ImageConfig = JSON.parse(
    await docker(['image', 'inspect', '--format', '{{json .Config}}', image]),
  );
  expect(config.User).toBe('65532:65532');
  expect(config.Entrypoint).toEqual(['/usr/bin/tini', '-s', '--', 'node', `/app/${program}.mjs`]);
  expect(Object.keys(config.ExposedPorts).sort()).toEqual(ports.map((port) => `${port}/tcp`).sort());
  for (const label of ['title', 'description', 'source', 'version', 'revision', 'created', 'licenses']) {
    expect(config.Labels).toHaveProperty([`org.opencontainers.image.${label}`]);
  }
  expect(config.Labels['org.opencontainers.image.title']).toBe(program);
  return config;
}

/**
 * `docker stop --time <seconds>`, timed: the container's state after, how long the command took and
 * how long until the container had ended. Throws when the command fails.
 */
export async function stopAndMeasure(container: string, seconds = 10) {
  const before = Date.now();
  const stop = await runCommand('docker', ['stop', '--time', String(seconds), container], {
    timeoutMs: (seconds + 10) * 1000,
  });
  if (stop.code !== 0) throw new Error(`docker stop ${container}: ${stop.stderr}`);
  const state = await containerState(container);
  return { ...state, commandMs: stop.ms, stoppedInMs: Date.parse(state.FinishedAt) - before };
}

/**
 * `docker stop` as users run it: exit 0, not OOM-killed, ended within 3 s of SIGTERM (graceful, long
 * before docker's SIGKILL at 10 s; how fast is measured, not asserted: ~1 s here). Returns the measures.
 */
export async function expectQuickCleanStop(container: string) {
  const stopped = await stopAndMeasure(container);
  expect({ ExitCode: stopped.ExitCode, OOMKilled: stopped.OOMKilled }).toEqual({
    ExitCode: 0,
    OOMKilled: false,
  });
  expect(stopped.stoppedInMs).toBeLessThan(3_000);
  return stopped;
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
  /** `down --volumes`, expected to succeed and to leave no container of the project behind. */
  expectDown: (extraEnv?: Record<string, string>) => Promise<void>;
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
  const expectDown = async (extraEnv: Record<string, string> = {}) => {
    const down = await compose(['down', '--volumes', '--timeout', '10'], extraEnv);
    expect(down.code, down.stderr).toBe(0);
    expect(
      await docker(['ps', '--all', '--quiet', '--filter', `label=com.docker.compose.project=${project}`]),
    ).toBe('');
  };
  return { project, compose, expectDown };
}
