import { join } from 'node:path';
import { startMutualTlsServer } from '@toolkit/test-helpers';
import { afterEach, expect, test } from 'vitest';
import { makeTempDir, RemoteRepo } from './helpers/git-fixture.ts';
import { Updater } from './helpers/program.ts';

let child: Updater | undefined;
let temp: ReturnType<typeof makeTempDir> | undefined;
afterEach(() => {
  child?.process.kill('SIGKILL');
  temp?.remove();
});

test('the webhook reaches an HTTPS app behind a private CA that asks for a client certificate', {
  timeout: 90_000,
}, async () => {
  const tls = await startMutualTlsServer();
  try {
    temp = makeTempDir();
    const remote = new RemoteRepo(temp.path);
    const commit = remote.commit({ 'a.txt': 'one' });
    child = new Updater([
      ...['--repo', remote.url, '--root', join(temp.path, 'root'), '--period', '1h'],
      ...['--notify-url', `${tls.server.url}/reload`],
      ...tls.clientArgs,
    ]);
    await child.waitForLog((line) => line.msg === 'app notified' && line.hook === 'http', 60_000);
    expect(tls.server.requests).toHaveLength(1);
    expect(tls.server.requests[0]).toMatchObject({
      method: 'POST',
      path: '/reload',
      clientName: 'the-sidecar',
    });
    expect(tls.server.requests[0]!.headers['x-repo-updater-hash']).toBe(commit);
  } finally {
    await tls.close();
  }
});
