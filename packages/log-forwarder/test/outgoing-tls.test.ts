import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMutualTlsServer } from '@toolkit/test-helpers';
import { expect, onTestFinished, test } from 'vitest';
import { startForwarder } from './helpers/forwarder.ts';

test('the HTTP sink posts to a server behind a private CA that asks for a client certificate', {
  timeout: 90_000,
}, async () => {
  const tls = await startMutualTlsServer();
  const dir = mkdtempSync(join(tmpdir(), 'lf-tls-'));
  onTestFinished(async () => {
    await tls.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const log = join(dir, 'app.log');
  appendFileSync(log, '');
  const child = startForwarder([
    ...['--path', log, '--read-from', 'beginning', '--positions-file', join(dir, 'positions.json')],
    ...['--http-url', `${tls.server.url}/ingest`, '--batch-timeout', '50ms'],
    ...tls.clientArgs,
  ]);
  onTestFinished(() => void child.process.kill('SIGKILL'));
  await child.waitForLog((l) => l.msg === 'ready', 60_000);
  appendFileSync(log, 'one\ntwo\nthree\n');
  const deadline = Date.now() + 60_000;
  while (tls.server.requests.length === 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  const posted = tls.server.requests.map((r) => r.body).join('');
  expect(posted).toContain('"one"');
  expect(posted).toContain('"three"');
  expect(tls.server.requests.every((r) => r.clientName === 'the-sidecar' && r.path === '/ingest')).toBe(true);
});
