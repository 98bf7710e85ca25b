import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { repoRoot } from '../../scripts/programs.ts';

/** What the global setup found out about Docker, handed to the test files with provide/inject. */
export interface DockerStatus {
  available: boolean;
  /** Why Docker tests are skipped, when they are. */
  reason?: string;
  /** docker-compose (v1) or `docker compose` (v2), as the command to run; absent when neither works. */
  compose?: string[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    docker: DockerStatus;
  }
}

/** Every container and compose project a test makes carries this label, to find leftovers. */
export const testLabel = 'toolkit.test=e2e';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command with a time limit; never throws for a non-zero exit (see `docker`). */
export function runCommand(
  command: string,
  args: readonly string[],
  { timeoutMs = 60_000, env }: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: repoRoot,
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 16 << 20,
        env: env ?? process.env,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        const timedOut = error?.killed ? `\n(killed after ${timeoutMs} ms)` : '';
        resolve({ code, stdout, stderr: stderr + timedOut, ms: performance.now() - started });
      },
    );
  });
}

/** Runs `docker …` and returns stdout; throws with the command and its stderr when it fails. */
export async function docker(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const result = await runCommand('docker', args, { timeoutMs });
  if (result.code !== 0) {
    throw new Error(`docker ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}

/** A name no other run or test shares: containers and compose projects. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** `docker port` → the host address of a published container port, as `http://127.0.0.1:NNNN`. */
export async function publishedUrl(container: string, port: number): Promise<string> {
  const line = (await docker(['port', container, `${port}/tcp`])).trim().split('\n')[0] ?? '';
  return hostPortUrl(line);
}

/** `127.0.0.1:49153` (or `0.0.0.0:49153`) → `http://127.0.0.1:49153`; only loopback is accepted. */
export function hostPortUrl(line: string): string {
  const match = /^(127\.0\.0\.1|0\.0\.0\.0):(\d+)$/.exec(line.trim());
  if (!match) throw new Error(`expected a port published on 127.0.0.1, got ${JSON.stringify(line)}`);
  return `http://127.0.0.1:${match[2]}`;
}

export interface HttpResponse {
  status: number;
  contentType: string;
  body: string;
}

/** One GET with a time limit. Only loopback URLs: tests talk to nothing else. */
export async function httpGet(url: string, timeoutMs = 5_000): Promise<HttpResponse> {
  if (!url.startsWith('http://127.0.0.1:')) throw new Error(`refusing a non-loopback URL: ${url}`);
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: await response.text(),
  };
}

/**
 * Polls `url` until `accept` says yes: at most `attempts` tries, `intervalMs` apart, and never past
 * `timeoutMs` in all. Returns the accepted response; throws with the last one seen otherwise.
 */
export async function waitForHttp(
  url: string,
  accept: (response: HttpResponse) => boolean = (response) => response.status === 200,
  { timeoutMs = 20_000, intervalMs = 200, attempts = 100 } = {},
): Promise<HttpResponse> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (let attempt = 0; attempt < attempts && Date.now() < deadline; attempt++) {
    try {
      const response = await httpGet(url, Math.max(100, Math.min(2_000, deadline - Date.now())));
      if (accept(response)) return response;
      last = `${response.status} ${response.body.slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${url} not as expected within ${timeoutMs} ms; last: ${last}`);
}

/** The `docker inspect` state of a container. */
export async function containerState(container: string): Promise<{
  Status: string;
  Running: boolean;
  ExitCode: number;
  OOMKilled: boolean;
  StartedAt: string;
  FinishedAt: string;
}> {
  return JSON.parse(await docker(['inspect', '--format', '{{json .State}}', container]));
}

/** Removes containers by name, ignoring ones already gone. */
export async function removeContainers(names: readonly string[]): Promise<void> {
  if (names.length > 0)
    await runCommand('docker', ['rm', '--force', '--volumes', ...names], { timeoutMs: 30_000 });
}
