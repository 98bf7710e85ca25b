import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMutualTlsServer } from '@toolkit/test-helpers';
import { describe, expect, it, onTestFinished } from 'vitest';
import { makeTempDir, startSyncer, waitForNthLog } from './helpers.ts';

describe('outgoing HTTPS behind a private CA with a client certificate', () => {
  it('fetches the URL source, calls the webhook and polls --confirm-url with --ca-file and the client certificate', {
    timeout: 90_000,
  }, async () => {
    // The app reports at /status the revision its webhook was last called with.
    let revision = 'none';
    const tls = await startMutualTlsServer((request) => {
      if (request.path === '/config.yaml') return { status: 200, body: 'from: the private server\n' };
      if (request.path === '/-/reload')
        revision = (JSON.parse(request.body) as { revision: string }).revision;
      return { status: 200, body: `revision ${revision}` };
    });
    onTestFinished(() => tls.close());
    const target = join(makeTempDir(), 'target');
    const child = startSyncer([
      ...['--source', `${tls.server.url}/config.yaml`, '--target', target, '--debounce', '0s'],
      ...['--notify-url', `${tls.server.url}/-/reload`, '--confirm-url', `${tls.server.url}/status`],
      ...tls.clientArgs,
    ]);
    await waitForNthLog(child, 'app notified', 1, 60_000);
    await waitForNthLog(child, 'reload confirmed', 1, 30_000);
    expect(tls.server.requests.map((r) => `${r.method} ${r.path} ${r.clientName}`)).toContain(
      'GET /status the-sidecar',
    );
    expect(readFileSync(join(target, 'config.yaml'), 'utf8')).toBe('from: the private server\n');
    const seen = tls.server.requests.map((r) => `${r.method} ${r.path} ${r.clientName}`);
    expect(seen).toContain('GET /config.yaml the-sidecar');
    expect(seen).toContain('POST /-/reload the-sidecar');
  });

  it('without the client certificate the server refuses it and nothing is published', {
    timeout: 90_000,
  }, async () => {
    const tls = await startMutualTlsServer(() => ({ status: 200, body: 'never\n' }));
    onTestFinished(() => tls.close());
    const child = startSyncer([
      ...['--source', `${tls.server.url}/config.yaml`, '--target', join(makeTempDir(), 'target'), '--once'],
      ...['--ca-file', tls.files.caFile],
    ]);
    expect(await child.exitCode(60_000)).toBe(1);
    expect(tls.server.requests).toEqual([]);
    expect(tls.server.refusedHandshakes.length).toBeGreaterThan(0);
  });
});
