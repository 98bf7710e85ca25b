import type { IncomingMessage, ServerResponse } from 'node:http';

export type RequestBody = { ok: true; body: Buffer } | { ok: false; status: 413; message: string };

/**
 * Reads a request body under one rule for every body a program accepts: a declared Content-Length over
 * `maxBytes` is refused before a byte is read, and a body that grows past it (chunked, or longer than
 * declared) is refused as soon as it does; nothing over the limit is kept. On refusal the response is
 * marked `connection: close`, so Node closes the connection after the answer instead of reading the
 * rest of the body to reuse it. Check credentials that need no body before calling this.
 */
export function readRequestBody(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
  /** Hands each chunk over instead of keeping it (the body resolves empty): a body only hashed is never held. */
  consume?: (chunk: Buffer) => void,
): Promise<RequestBody> {
  const refuse = (): RequestBody => {
    res.setHeader('connection', 'close');
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
