import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { metricValue, startProxy, useServingProxy } from './helpers/proxy.ts';
import { findClosedPort } from './helpers/upstream.ts';

function openSocket(url: string, ca: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ca, headers, handshakeTimeout: 3000 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
  });
}

function nextMessage(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(String(data))));
}

describe('WebSocket pass-through', () => {
  const serving = useServingProxy();

  it('echoes messages through the proxy, with forwarded headers on the upgrade', async () => {
    const ws = await openSocket(`wss://127.0.0.1:${serving.proxy.port}/chat`, serving.ca.cert, {
      'x-forwarded-for': '6.6.6.6',
    });
    for (const text of ['hello', 'x'.repeat(100_000)]) {
      const reply = nextMessage(ws);
      ws.send(text);
      expect(await reply).toBe(text);
    }
    const upgrade = serving.upstream.requests.find((r) => r.url === '/chat');
    expect(upgrade?.headers).toMatchObject({
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'https',
      upgrade: 'websocket',
    });
    ws.close();
    await expect
      .poll(() =>
        metricValue(serving.proxy.registry, 'tls_proxy_requests_total', { method: 'GET', status: '101' }),
      )
      .toBe(1);
  });

  it('answers 502 to an upgrade when the upstream is down', async () => {
    const down = await startProxy([
      '--upstream',
      `http://127.0.0.1:${await findClosedPort()}`,
      '--tls-cert',
      serving.files.cert,
      '--tls-key',
      serving.files.key,
    ]);
    try {
      await expect(openSocket(`wss://127.0.0.1:${down.port}/chat`, serving.ca.cert)).rejects.toThrow(
        'status 502',
      );
    } finally {
      await down.stop();
    }
  });
});
