import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { readRequestBody, sendJson } from '../src/index.ts';

const limit = 1024;
let server: Server | undefined;
/** Bytes the handler was given, per request. */
let kept: number[] = [];

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
  kept = [];
});

async function start(): Promise<number> {
  server = createServer(async (req, res) => {
    const read = await readRequestBody(req, res, limit);
    if (!read.ok) return sendJson(res, read.status, { error: read.message });
    kept.push(read.body.length);
    sendJson(res, 200, { bytes: read.body.length });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server!.address() as AddressInfo).port;
}

/**
 * Sends `head` and then up to `bodyBytes` of body in 64 KiB writes (stopping when the server closes),
 * and resolves with the answer's status line, whether the server closed the connection, and how much
 * of the body was written by then. Bounded by `timeoutMs`.
 */
function rawRequest(port: number, head: string, bodyBytes: number, timeoutMs = 5_000) {
  return new Promise<{ statusLine: string; closed: boolean; written: number }>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let written = 0;
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ statusLine: answer.split('\r\n')[0] ?? '', closed, written });
    }, timeoutMs);
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => {}); // the server may close while we still write: that is the point
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve({ statusLine: answer.split('\r\n')[0] ?? '', closed, written });
    });
    socket.on('connect', () => {
      socket.write(head);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (written < bodyBytes && !socket.destroyed) {
          written += chunk.length;
          if (!socket.write(chunk)) return socket.once('drain', pump);
        }
      };
      pump();
    });
    socket.on('timeout', reject);
  });
}

describe('readRequestBody: one rule for every request body', () => {
  test('a body within the limit is read whole', async () => {
    const port = await start();
    const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x'.repeat(limit) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ bytes: limit });
  });

  test('a declared Content-Length over the limit is refused at once, before any body arrives; the connection closes', async () => {
    const port = await start();
    const started = performance.now();
    const result = await rawRequest(
      port,
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n',
      0,
    );
    expect(result.statusLine).toBe('HTTP/1.1 413 Payload Too Large');
    expect(result.closed).toBe(true);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(kept).toEqual([]);
  });

  test('a chunked body that grows past the limit is cut off: 413, the connection closed, nothing kept', async () => {
    const port = await start();
    const chunked = await new Promise<{ statusLine: string; closed: boolean }>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.on('error', () => {});
      socket.on('data', (chunk) => {
        answer += chunk.toString('latin1');
      });
      socket.on('close', () => resolve({ statusLine: answer.split('\r\n')[0] ?? '', closed: true }));
      socket.on('connect', () => {
        socket.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
        const piece = 'y'.repeat(512);
        // 4 chunks of 512 bytes: over the limit at the third; the chunked body is never ended.
        for (let i = 0; i < 4; i++) socket.write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
      });
      setTimeout(() => {
        socket.destroy();
        resolve({ statusLine: answer.split('\r\n')[0] ?? '', closed: false });
      }, 5_000);
    });
    expect(chunked).toEqual({ statusLine: 'HTTP/1.1 413 Payload Too Large', closed: true });
    expect(kept).toEqual([]);
  }, 15_000);

  test('a body longer than the limit but sent without a length: 413 before it is all sent', async () => {
    const port = await start();
    const result = await rawRequest(
      port,
      `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${(64 * 1024).toString(16)}\r\n`,
      64 * 1024 * 200, // 12.5 MiB offered, not all written once the server closes
    );
    expect(result.statusLine).toBe('HTTP/1.1 413 Payload Too Large');
    expect(result.closed).toBe(true);
    expect(result.written).toBeLessThan(64 * 1024 * 200);
  }, 15_000);

  test('a client still sending a refused body gets the answer and a clean close, not a reset (lingering close)', async () => {
    const port = await start();
    const result = await new Promise<{ statusLine: string; error: string | undefined; ended: boolean }>(
      (resolve) => {
        const socket = connect(port, '127.0.0.1');
        let answer = '';
        let error: string | undefined;
        let ended = false;
        const finish = () => {
          clearTimeout(timer);
          resolve({ statusLine: answer.split('\r\n')[0] ?? '', error, ended });
        };
        const timer = setTimeout(() => {
          socket.destroy();
          finish();
        }, 10_000);
        socket.on('error', (e: NodeJS.ErrnoException) => {
          error = e.code;
        });
        socket.on('data', (chunk) => {
          answer += chunk.toString('latin1');
        });
        socket.on('end', () => {
          ended = true;
        });
        socket.on('close', finish);
        socket.on('connect', () => {
          // Like a client that reads the answer only once its body is written: 4 MiB of well-formed
          // chunks, far past the limit, written while nothing is read.
          socket.pause();
          socket.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
          const piece = Buffer.alloc(64 * 1024, 'z');
          const chunk = Buffer.concat([
            Buffer.from(`${piece.length.toString(16)}\r\n`),
            piece,
            Buffer.from('\r\n'),
          ]);
          let sent = 0;
          const pump = () => {
            while (sent < 64 && !socket.destroyed) {
              sent++;
              if (!socket.write(chunk)) return void socket.once('drain', pump);
            }
            socket.resume();
          };
          pump();
        });
      },
    );
    // Closed with unread body bytes, the server's socket would send a reset: the write in progress
    // fails with ECONNRESET or EPIPE and the answer already received is lost with the socket.
    expect(result).toEqual({ statusLine: 'HTTP/1.1 413 Payload Too Large', error: undefined, ended: true });
    expect(kept).toEqual([]);
  }, 15_000);
});
