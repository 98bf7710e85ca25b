import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child } from '@toolkit/test-helpers';
import { onTestFinished } from 'vitest';

export { adminUrl, waitUntil } from '@toolkit/test-helpers';

export const mainFile = join(import.meta.dirname, '..', 'src', 'main.ts');

/** A fresh temp directory, removed when the test ends. */
export function makeTempDir(prefix = 'config-syncer-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts the program from source on a free admin port; killed when the test ends if still running. */
export function startSyncer(args: string[], env: Record<string, string> = {}): Child {
  const child = new Child(mainFile, ['--admin-addr', '127.0.0.1:0', ...args], env);
  onTestFinished(() => {
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  });
  return child;
}

/** Log lines with a given message, in order. */
export function logsWith(child: Child, msg: string): Record<string, unknown>[] {
  return child.logs.filter((line) => line.msg === msg);
}

/** Waits for the nth log line with `msg` (1-based). */
export function waitForNthLog(child: Child, msg: string, n: number, ms = 15_000) {
  return child
    .waitForLog(() => logsWith(child, msg).length >= n, ms)
    .then(() => logsWith(child, msg)[n - 1]!);
}

/** Lays out or updates a directory the way the kubelet does a ConfigMap volume: a `..data` symlink swap. */
export function writeConfigMap(dir: string, files: Record<string, string>): void {
  const version = `..${new Date().toISOString().replace(/[-:.]/g, '_')}_${Math.random().toString(36).slice(2, 8)}`;
  mkdirSync(join(dir, version), { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, version, name), content);
  const previous = readdirSync(dir).filter(
    (name) => name.startsWith('..') && name !== '..data' && name !== version,
  );
  symlinkSync(version, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  for (const name of readdirSync(dir)) {
    if (!name.startsWith('..') && !(name in files)) rmSync(join(dir, name));
  }
  for (const name of Object.keys(files)) {
    try {
      symlinkSync(join('..data', name), join(dir, name));
    } catch {
      // The key was already there: its link goes through ..data and needs no change.
    }
  }
  for (const name of previous) rmSync(join(dir, name), { recursive: true, force: true });
}

/** Saves like most editors: write a temp file beside the target, then rename it over. */
export function saveLikeEditor(path: string, content: string): void {
  const temp = `${path}.swp`;
  writeFileSync(temp, content);
  renameSync(temp, path);
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An HTTP server on 127.0.0.1, port 0, recording requests; closed when the test ends. */
export async function startServer(
  handle: (req: RecordedRequest, res: ServerResponse) => void,
): Promise<{ url: string; requests: RecordedRequest[]; server: Server }> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(recorded);
      handle(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, requests, server };
}
