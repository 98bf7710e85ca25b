import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStatusMatcher, sendNotification } from '../src/index.ts';

interface Seen {
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let url: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      seen.push({ method: request.method!, headers: request.headers, body });
      if (request.url === '/slow') return; // never answers
      response.statusCode = request.url === '/fail' ? 500 : 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const accept = parseStatusMatcher(['2xx'])!;
const base = { headers: { 'x-test': 'yes' }, accept, timeoutMs: 2000, signal: new AbortController().signal };

describe('sendNotification', () => {
  it('POSTs the body as JSON with the caller’s headers and returns the status', async () => {
    seen.length = 0;
    expect(await sendNotification({ ...base, url: `${url}/ok`, method: 'POST', body: { a: 1 } })).toBe(204);
    expect(seen).toEqual([
      expect.objectContaining({
        method: 'POST',
        headers: expect.objectContaining({ 'x-test': 'yes', 'content-type': 'application/json' }),
        body: '{"a":1}',
      }),
    ]);
  });

  it('sends no body nor content type with GET', async () => {
    seen.length = 0;
    await sendNotification({ ...base, url: `${url}/ok`, method: 'GET', body: { a: 1 } });
    expect(seen[0]!.body).toBe('');
    expect(seen[0]!.headers).not.toHaveProperty('content-type');
    expect(seen[0]!.headers['x-test']).toBe('yes');
  });

  it('throws for a status it does not accept', async () => {
    await expect(sendNotification({ ...base, url: `${url}/fail`, method: 'POST', body: {} })).rejects.toThrow(
      'unexpected status 500',
    );
  });

  it('gives up after the timeout, and at once when the signal aborts', async () => {
    await expect(
      sendNotification({ ...base, url: `${url}/slow`, method: 'POST', body: {}, timeoutMs: 100 }),
    ).rejects.toThrow();
    const stop = new AbortController();
    const sending = sendNotification({
      ...base,
      url: `${url}/slow`,
      method: 'POST',
      body: {},
      signal: stop.signal,
    });
    setTimeout(() => stop.abort(), 20);
    const started = performance.now();
    await expect(sending).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
