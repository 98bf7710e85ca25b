import type { IncomingMessage, ServerResponse } from 'node:http';

export type RequestBody = { ok: true; body: Buffer } | { ok: false; status: 413; message: string };

/**
 * Reads a request body under one rule for every body a program accepts: a declared Content-Length over
 * `maxBytes` is refused before a byte is read, and a body that grows past it (chunked, or longer than
 * declared) is refused as soon as it does; nothing over the limit is kept. On refusal the response is
 * marked `connection: close` (see `closeAfterAnswer`), so the rest of the body is not read to reuse the
 * connection. Check credentials that need no body before calling this.
 */
export function readRequestBody(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
  /** Hands each chunk over instead of keeping it (the body resolves empty): a body only hashed is never held. */
  consume?: (chunk: Buffer) => void,
): Promise<RequestBody> {
  const refuse = (): RequestBody => {
    closeAfterAnswer(req, res);
    return { ok: false, status: 413, message: `the body is over ${maxBytes} bytes` };
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve(refuse());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        done();
        req.pause();
        // The sender is cut off while still sending: its reset is expected, not an error to throw.
        req.on('error', () => {});
        resolve(refuse());
      } else if (consume) consume(chunk);
      else chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve({ ok: true, body: Buffer.concat(chunks) });
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** How long, and how much, a refused body still arriving is read and dropped before the connection closes. */
export const lingerLimits = { totalMs: 1_000, idleMs: 250, bytes: 8 * 1024 * 1024 };

/**
 * Answers with `connection: close`, then closes the way nginx's lingering close does. Closing a socket
 * with unread data sends a reset, and a client still writing its body when the reset comes loses our
 * answer (it sees ECONNRESET, not the 401 or 413). So after the answer is sent, whatever keeps
 * arriving is read and dropped, never kept, until the client stops sending for `idleMs`, ends, or
 * `totalMs` or `bytes` is reached; only then does the connection close.
 */
export function closeAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('connection', 'close');
  const socket = req.socket;
  // Node's server calls destroySoon once an answer marked `connection: close` is sent.
  socket.destroySoon = () => {
    socket.end();
    let dropped = 0;
    let idle: NodeJS.Timeout | undefined;
    const close = () => {
      clearTimeout(total);
      clearTimeout(idle);
      socket.destroy();
    };
    const total = setTimeout(close, lingerLimits.totalMs);
    const waitIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(close, lingerLimits.idleMs);
    };
    waitIdle();
    req.on('error', () => {});
    req.on('data', (chunk: Buffer) => {
      dropped += chunk.length;
      if (dropped > lingerLimits.bytes) close();
      else waitIdle();
    });
    req.on('end', close);
    socket.on('end', close);
    socket.on('close', close);
    req.resume();
  };
}
