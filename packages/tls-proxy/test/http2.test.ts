import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:http2';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCa,
  issueCertificate,
  issueServerCertificate,
  makeServerFiles,
  makeTempDir,
  type Pem,
  writePair,
} from './helpers/certificates.ts';
import { type RunningProxy, servingArgs, startProxy } from './helpers/proxy.ts';
import { TestUpstream } from './helpers/upstream.ts';

interface CurlResult {
  /** The response head(s) as curl printed them (`-D -`), then the body. */
  stdout: string;
  code: number;
}

/** Debian's curl against a loopback URL, bounded in time; the head comes first in stdout. */
function curl(url: string, args: readonly string[]): Promise<CurlResult> {
  if (!/^https:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`refusing a non-loopback URL: ${url}`);
  return new Promise((resolve) => {
    execFile(
      'curl',
      ['--silent', '--show-error', '--max-time', '20', '-D', '-', ...args, url],
      { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => resolve({ stdout, code: error ? Number(error.code ?? 1) : 0 }),
    );
  });
}

/** The body after the last response head (a 100 Continue may come first). */
function bodyOf(stdout: string): string {
  return stdout.slice(stdout.lastIndexOf('\r\n\r\n') + 4);
}

/**
 * One request over Node's http2 client, a POST with the body written in pieces and no Content-Length
 * (a GET when there are none); `client` is a client certificate.
 */
function h2Request(
  origin: string,
  ca: string,
  path: string,
  pieces: string[],
  client: Pem | undefined = undefined,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const session = connect(origin, { ca, ...(client ?? {}) });
    session.on('error', reject);
    const method = pieces.length > 0 ? 'POST' : 'GET';
    const stream = session.request({ ':method': method, ':path': path }, { endStream: method === 'GET' });
    stream.on('error', reject);
    let head: Record<string, unknown> = {};
    stream.on('response', (headers) => {
      head = headers;
    });
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('close', () => {
      session.close();
      if (head[':status'] === undefined) reject(new Error('the stream closed without a response'));
      else
        resolve({ status: Number(head[':status']), headers: head, body: Buffer.concat(chunks).toString() });
    });
    if (method === 'GET') return;
    let index = 0;
    const writeNext = () => {
      if (index === pieces.length) {
        stream.end();
        return;
      }
      stream.write(pieces[index++], () => setTimeout(writeNext, 5));
    };
    writeNext();
  });
}

describe('HTTP/2 to clients (ALPN h2), HTTP/1.1 to the app', () => {
  const upstream = new TestUpstream();
  let ca: Pem;
  let files: { cert: string; key: string };
  let caFile: string;
  let proxy: RunningProxy;
  let limited: RunningProxy;

  beforeAll(async () => {
    await upstream.start();
    ({ ca, files } = await makeServerFiles());
    caFile = join(makeTempDir(), 'ca.pem');
    writeFileSync(caFile, ca.cert);
    proxy = await startProxy([...servingArgs(upstream.url, files), '--hsts-max-age', '1h']);
    limited = await startProxy([...servingArgs(upstream.url, files), '--max-body-size', '1000']);
  });
  afterAll(async () => {
    await proxy?.stop();
    await limited?.stop();
    await upstream.stop();
  });

  it('curl --http2 gets HTTP/2 200 with the app body; the app gets HTTP/1.1 with Host and forwarded headers', async () => {
    const result = await curl(`${proxy.url}/h2?q=1`, ['--http2', '--cacert', caFile]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^HTTP\/2 200 ?\r\n/);
    expect(result.stdout).toMatch(/\r\nstrict-transport-security: max-age=3600\r\n/);
    expect(result.stdout).not.toMatch(/\r\n(connection|keep-alive|transfer-encoding):/i);
    const seen = JSON.parse(bodyOf(result.stdout));
    expect(seen.url).toBe('/h2?q=1');
    expect(seen.headers).toMatchObject({
      host: `127.0.0.1:${proxy.port}`,
      'x-forwarded-proto': 'https',
      'x-forwarded-host': `127.0.0.1:${proxy.port}`,
      'x-forwarded-for': '127.0.0.1',
      forwarded: `for=127.0.0.1;proto=https;host="127.0.0.1:${proxy.port}"`,
    });
    expect(Object.keys(seen.headers).filter((name) => name.startsWith(':'))).toEqual([]);
  });

  it('curl --http1.1 still gets HTTP/1.1 with keep-alive', async () => {
    const result = await curl(`${proxy.url}/h1`, ['--http1.1', '--cacert', caFile]);
    expect(result.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(result.stdout).toMatch(/\r\nconnection: keep-alive\r\n/i);
    expect(JSON.parse(bodyOf(result.stdout)).url).toBe('/h1');
  });

  it('drops the app hop-by-hop headers from an h2 response', async () => {
    const result = await curl(`${proxy.url}/hop`, ['--http2', '--cacert', caFile]);
    expect(result.stdout).toMatch(/^HTTP\/2 200 ?\r\n/);
    expect(result.stdout).not.toMatch(/\r\n(connection|keep-alive|x-internal):/i);
    expect(bodyOf(result.stdout)).toBe('hop\n');
  });

  it('passes a POST body with Content-Length over h2 to the app intact', async () => {
    const body = Array.from({ length: 20_000 }, (_, i) => `line ${i}\n`).join('');
    const bodyFile = join(makeTempDir(), 'body.txt');
    writeFileSync(bodyFile, body);
    const result = await curl(`${proxy.url}/post`, [
      '--http2',
      '--cacert',
      caFile,
      '--data-binary',
      `@${bodyFile}`,
    ]);
    expect(result.stdout).toMatch(/^HTTP\/2 200 ?\r\n/);
    const seen = JSON.parse(bodyOf(result.stdout));
    expect(seen.method).toBe('POST');
    expect(seen.headers['content-length']).toBe(String(body.length));
    expect(seen.body).toBe(body);
  });

  it('sends an h2 body without Content-Length to the app chunked, intact', async () => {
    const pieces = ['first,', 'second,', 'third'];
    const reply = await h2Request(proxy.url, ca.cert, '/stream', pieces);
    expect(reply.status).toBe(200);
    const seen = JSON.parse(reply.body);
    expect(seen.headers['transfer-encoding']).toBe('chunked');
    expect(seen.body).toBe(pieces.join(''));
  });

  it('streams a large response over h2 whole', async () => {
    const bytes = 32 * 1024 * 1024;
    const result = await curl(`${proxy.url}/big?bytes=${bytes}`, [
      '--http2',
      '--cacert',
      caFile,
      '-o',
      '/dev/null',
      '-w',
      '%{http_version} %{size_download}',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(new RegExp(`^\\S*2 ${bytes}$`));
  });

  it('enforces --max-body-size on h2 bodies, declared or streamed', async () => {
    const declared = await curl(`${limited.url}/post`, [
      '--http2',
      '--cacert',
      caFile,
      '--data-binary',
      'x'.repeat(2000),
    ]);
    expect(declared.stdout).toMatch(/^HTTP\/2 413 ?\r\n/);
    const streamed = await h2Request(limited.url, ca.cert, '/stream', ['x'.repeat(600), 'y'.repeat(600)]);
    expect(streamed.status).toBe(413);
  });

  it('answers 502 over h2 when the app is down', async () => {
    const orphan = await startProxy([...servingArgs('http://127.0.0.1:1', files)]);
    try {
      const result = await curl(`${orphan.url}/`, ['--http2', '--cacert', caFile]);
      expect(result.stdout).toMatch(/^HTTP\/2 502 ?\r\n/);
      expect(bodyOf(result.stdout)).toBe('upstream unavailable\n');
    } finally {
      await orphan.stop();
    }
  });

  it('closes an h2 connection idle for --idle-timeout, not one with a stream open', async () => {
    const idle = await startProxy([...servingArgs(upstream.url, files), '--idle-timeout', '500ms']);
    try {
      const quiet = connect(idle.url, { ca: ca.cert });
      const busy = connect(idle.url, { ca: ca.cert });
      const quietClosed = new Promise<number>((resolve) => {
        const started = performance.now();
        quiet.once('goaway', () => resolve(performance.now() - started));
      });
      quiet.on('error', () => {});
      const busyReply = new Promise<string>((resolve, reject) => {
        const stream = busy.request({ ':path': '/slow?ms=1500' });
        let body = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          body += chunk;
        });
        stream.on('end', () => resolve(body));
        stream.on('error', reject);
      });
      expect(await quietClosed).toBeLessThan(4000);
      expect(await busyReply).toBe('slow answer\n');
      quiet.destroy();
      busy.destroy();
    } finally {
      await idle.stop();
    }
  });

  it('offers http/1.1 only with --no-http2', async () => {
    const plain = await startProxy([...servingArgs(upstream.url, files), '--no-http2']);
    try {
      const result = await curl(`${plain.url}/`, ['--http2', '--cacert', caFile]);
      expect(result.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    } finally {
      await plain.stop();
    }
  });
});

describe('HTTP/2: client certificates and the drain', () => {
  const upstream = new TestUpstream();
  let serverCa: Pem;
  let client: Pem;
  let proxy: RunningProxy;

  beforeAll(async () => {
    await upstream.start();
    serverCa = await createCa('Server CA');
    const clientCa = await createCa('Client CA');
    const dir = makeTempDir();
    const files = writePair(dir, await issueServerCertificate(serverCa));
    writeFileSync(join(dir, 'client-ca.crt'), clientCa.cert);
    client = await issueCertificate(clientCa, 'billing', [], 'client');
    proxy = await startProxy([
      ...servingArgs(upstream.url, files),
      '--client-ca',
      join(dir, 'client-ca.crt'),
      '--allow-cn',
      'billing',
    ]);
  });
  afterAll(async () => {
    await proxy?.stop();
    await upstream.stop();
  });

  it('passes the verified client identity of an h2 connection upstream', async () => {
    const reply = await h2Request(proxy.url, serverCa.cert, '/who', [], client);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).headers['x-forwarded-client-cert']).toMatch(
      /^Hash=[0-9a-f]{64};Subject="CN=billing"/,
    );
    await expect(h2Request(proxy.url, serverCa.cert, '/who', [])).rejects.toThrow();
  });

  it('lets an h2 stream in flight finish when the proxy drains', async () => {
    const inFlight = h2Request(proxy.url, serverCa.cert, '/slow?ms=1500', [], client);
    await expect
      .poll(() => upstream.requests.some((seen) => seen.url.startsWith('/slow')), { timeout: 5000 })
      .toBe(true);
    const started = performance.now();
    await proxy.proxy.drain(10_000);
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('slow answer\n');
    expect(performance.now() - started).toBeLessThan(8000);
  });
});
