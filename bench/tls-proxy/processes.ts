import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { stopProcess } from '@toolkit/test-helpers';

const packageDir = join(import.meta.dirname, '..', '..', 'packages', 'tls-proxy');
const bundle = join(packageDir, 'dist', 'tls-proxy.mjs');

/** The bundle when `pnpm build` made one (what the image runs), else the sources. */
export const programFile = existsSync(bundle) ? bundle : join(packageDir, 'src', 'main.ts');

/** A child process that is always stopped: SIGTERM, then SIGKILL after 3 s. */
export class Managed {
  readonly child: ChildProcess;
  output = '';

  constructor(command: string, args: string[]) {
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk) => {
      this.output += chunk;
    });
    this.child.stderr!.on('data', (chunk) => {
      // Keep the head of the output only: an access log under load is large.
      if (this.output.length < 100_000) this.output += chunk;
    });
  }

  /** Resolves with the first match of `pattern` in the output, or rejects after `ms`. */
  async waitFor(pattern: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no ${pattern} from ${this.child.spawnfile}; output:\n${this.output.slice(0, 2000)}`);
  }

  stop(): Promise<void> {
    return stopProcess(this.child, 3000);
  }
}

/** A free port on 127.0.0.1 (for nginx, which cannot report the port it got from 0). */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}
