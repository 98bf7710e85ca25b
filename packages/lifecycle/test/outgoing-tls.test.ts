import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCa,
  type HttpsTestServer,
  issueCertificate,
  startHttpsServer,
  writePem,
} from '@toolkit/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutgoingTls, type OutgoingTlsSettings, UsageError } from '../src/index.ts';

// One server with a certificate from a private CA that asks every client for a certificate from
// another private CA: what an internal webhook or Elasticsearch 8 with mTLS looks like.
let dir: string;
let server: HttpsTestServer;
let serverCaFile: string;
let otherCaFile: string;
let client: { cert: string; key: string };
let strangerClient: { cert: string; key: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outgoing-tls-'));
  const [serverCa, clientCa, otherCa] = await Promise.all([
    createCa('Server CA'),
    createCa('Client CA'),
    createCa('Other CA'),
  ]);
  serverCaFile = writePem(dir, 'server-ca', serverCa).cert;
  otherCaFile = writePem(dir, 'other-ca', otherCa).cert;
  client = writePem(dir, 'client', await issueCertificate(clientCa, 'client', 'the-sidecar'));
  strangerClient = writePem(dir, 'stranger', await issueCertificate(otherCa, 'client', 'a-stranger'));
  server = await startHttpsServer({
    certificate: await issueCertificate(serverCa, 'server'),
    clientCa: clientCa.cert,
  });
});
afterAll(() => server?.close());

const opened: OutgoingTls[] = [];
async function outgoing(settings: OutgoingTlsSettings): Promise<OutgoingTls> {
  const tls = await OutgoingTls.open(settings);
  opened.push(tls);
  return tls;
}
afterAll(() => Promise.all(opened.map((tls) => tls.close())));

/** GET through fetch with the dispatcher: the status, or the error code why no answer came. */
async function viaFetch(tls: OutgoingTls): Promise<number | string> {
  try {
    const response = await fetch(`${server.url}/fetch`, {
      ...(tls.dispatcher ? { dispatcher: tls.dispatcher } : {}),
      signal: AbortSignal.timeout(5000),
    } as RequestInit);
    await response.body?.cancel();
    return response.status;
  } catch (error) {
    const cause = (error as Error & { cause?: Error & { code?: string } }).cause;
    return cause?.code ?? cause?.message ?? (error as Error).message;
  }
}

/** GET through node:https with an agent from the factory: the status, or the error code. */
function viaHttps(tls: OutgoingTls): Promise<number | string> {
  const agent = tls.httpsAgent({ keepAlive: true });
  return new Promise((resolve) => {
    const req = request(`${server.url}/https`, { agent, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error: Error & { code?: string }) => resolve(error.code ?? error.message));
    req.end();
  }).finally(() => agent.destroy()) as Promise<number | string>;
}

const clients = { fetch: viaFetch, 'https.Agent': viaHttps };

describe.each(Object.entries(clients))('outgoing HTTPS through %s', (name, send) => {
  it('is accepted with --ca-file of the server CA and a client certificate the server trusts', async () => {
    const before = server.requests.length;
    expect(
      await send(
        await outgoing({ caFile: serverCaFile, clientCertFile: client.cert, clientKeyFile: client.key }),
      ),
    ).toBe(200);
    expect(server.requests.slice(before).map((r) => r.clientName)).toEqual(['the-sidecar']);
  });

  it('is refused by the server without a client certificate', async () => {
    const refusedBefore = server.refusedHandshakes.length;
    const result = await send(await outgoing({ caFile: serverCaFile }));
    expect(result).not.toBe(200);
    expect(server.refusedHandshakes.length).toBeGreaterThan(refusedBefore);
    expect(server.refusedHandshakes.at(-1)).toMatch(/peer did not return a certificate/);
  });

  it('is refused by the server with a client certificate from a CA it does not trust', async () => {
    const before = server.requests.length;
    const refusedBefore = server.refusedHandshakes.length;
    const result = await send(
      await outgoing({
        caFile: serverCaFile,
        clientCertFile: strangerClient.cert,
        clientKeyFile: strangerClient.key,
      }),
    );
    expect(result).not.toBe(200);
    expect(server.requests.length).toBe(before);
    expect(server.refusedHandshakes.length).toBeGreaterThan(refusedBefore);
  });

  it('refuses the server without --ca-file: the private CA is not among the system roots', async () => {
    expect(await send(await outgoing({ clientCertFile: client.cert, clientKeyFile: client.key }))).toBe(
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    );
  });

  it('refuses the server with --ca-file of another CA, --insecure-skip-verify off', async () => {
    expect(
      await send(
        await outgoing({ caFile: otherCaFile, clientCertFile: client.cert, clientKeyFile: client.key }),
      ),
    ).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('accepts any server certificate with --insecure-skip-verify', async () => {
    expect(
      await send(
        await outgoing({
          caFile: otherCaFile,
          insecureSkipVerify: true,
          clientCertFile: client.cert,
          clientKeyFile: client.key,
        }),
      ),
    ).toBe(200);
  });

  it('reads --ca-file again when it changes: refused with the wrong CA, accepted once the file holds the right one', async () => {
    const caFile = join(dir, `reloaded-${name}.crt`);
    writeFileSync(caFile, readPem(otherCaFile));
    const tls = await outgoing({
      caFile,
      clientCertFile: client.cert,
      clientKeyFile: client.key,
      reloadCheckMs: 50,
    });
    expect(await send(tls)).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    // Replaced the way a Kubernetes secret volume or cert-manager does it: a new file renamed over.
    writeFileSync(`${caFile}.new`, readPem(serverCaFile));
    renameSync(`${caFile}.new`, caFile);
    const deadline = Date.now() + 5000;
    let result = await send(tls);
    while (result !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      result = await send(tls);
    }
    expect(result).toBe(200);
  });
});

const readPem = (path: string) => readFileSync(path, 'utf8');

describe('the files', () => {
  it('keeps the previous CA when the file changes into something unusable', async () => {
    const caFile = join(dir, 'broken-later.crt');
    writeFileSync(caFile, readPem(serverCaFile));
    const tls = await outgoing({ caFile, clientCertFile: client.cert, clientKeyFile: client.key });
    expect(await viaFetch(tls)).toBe(200);
    writeFileSync(caFile, 'half a certificate');
    expect(tls.reloadIfChanged()).toBe(false);
    expect(await viaFetch(tls)).toBe(200);
  });

  it.each([
    [{ caFile: '/nonexistent/ca.crt' }, /--ca-file: cannot read \/nonexistent\/ca\.crt/, 'caFile'],
    [{ caFile: 'KEY' }, /--ca-file: .* holds no PEM certificate/, 'caFile'],
    [{ clientCertFile: 'CERT' }, /--client-cert-file needs --client-key-file/, 'clientKeyFile'],
    [{ clientKeyFile: 'KEY' }, /--client-key-file needs --client-cert-file/, 'clientCertFile'],
  ])('refuses %j with a usage error naming the option', async (settings, message, option) => {
    const resolved = Object.fromEntries(
      Object.entries(settings).map(([key, value]) => [
        key,
        value === 'KEY' ? client.key : value === 'CERT' ? client.cert : value,
      ]),
    );
    let thrown: unknown;
    try {
      await outgoing(resolved);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).message).toMatch(message);
    expect((thrown as UsageError).option).toBe(option);
  });

  it('refuses a client key that does not belong to the certificate', async () => {
    await expect(
      outgoing({ clientCertFile: client.cert, clientKeyFile: strangerClient.key }),
    ).rejects.toThrow(/cannot be used: .*key values mismatch/);
  });

  it('changes nothing when no option is set: no dispatcher, a plain agent', async () => {
    const tls = await outgoing({});
    expect(tls.dispatcher).toBeUndefined();
    expect(tls.httpsAgent().options.rejectUnauthorized).toBeUndefined();
  });
});
