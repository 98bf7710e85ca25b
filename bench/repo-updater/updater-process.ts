import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { stopProcess } from '@toolkit/test-helpers';
import { gitEnv } from './fixture.ts';

const packageDir = join(import.meta.dirname, '..', '..', 'packages', 'repo-updater');
const bundle = join(packageDir, 'dist', 'repo-updater.mjs');

/** The bundle when `pnpm build` made one (what the image runs), else the sources. */
export const programFile = existsSync(bundle) ? bundle : join(packageDir, 'src', 'main.ts');

/** repo-updater as a child process; resolves once it logged `ready`, with its admin URL. */
export class UpdaterProcess {
  readonly child: ChildProcess;
  #stderr = '';

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [programFile, '--admin-addr', '127.0.0.1:0', ...args], {
      env: { ...gitEnv(), ...env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child.stderr!.on('data', (chunk) => {
      this.#stderr += chunk;
    });
  }

  /** Waits for the first log line with this message, for at most `ms`. */
  async waitFor(message: string, ms = 60_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      for (const line of this.#stderr.split('\n')) {
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed.msg === message) return parsed;
      }
      if (this.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`repo-updater: no "${message}" log line within ${ms}ms:\n${this.#stderr.slice(-2000)}`);
  }

  /** How many log lines have this message (and contain `including`). */
  count(message: string, including = ''): number {
    const lines = this.#stderr.split('\n');
    return lines.filter(
      (line) => line.includes(`"msg":${JSON.stringify(message)}`) && line.includes(including),
    ).length;
  }

  /** The last lines it logged, for an error message. */
  tail(lines = 5): string {
    return this.#stderr.trim().split('\n').slice(-lines).join('\n');
  }

  async adminUrl(): Promise<string> {
    return `http://${(await this.waitFor('admin server listening')).address}`;
  }

  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void> {
    return stopProcess(this.child, 10_000);
  }
}

/**
 * POST /sync?wait on a fresh connection, resolving with the JSON answer. A fresh connection because
 * the rounds are seconds apart on a loaded machine: a kept-alive socket the server is just closing
 * would fail the request, and that is not what is measured here.
 */
export function postSync(
  adminUrl: string,
  token: string,
  timeoutMs = 30_000,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = request(`${adminUrl}/sync?wait`, {
      method: 'POST',
      agent: false,
      headers: { authorization: `Bearer ${token}`, 'content-length': 0 },
      timeout: timeoutMs,
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve(JSON.parse(body) as Record<string, unknown>));
    });
    req.on('timeout', () => req.destroy(new Error(`POST /sync took over ${timeoutMs}ms`)));
    req.on('error', reject);
    req.end();
  });
}
