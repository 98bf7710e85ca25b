import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Enforces --max-body-size. A declared Content-Length over the limit is refused before anything goes
 * upstream; a chunked body is counted as it streams, and when it passes the limit the upstream request
 * is dropped (`cancel`) and the client gets 413 if its response has not started. Returns false when the
 * request was refused at once.
 */
export function limitBody(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
  cancel: () => void,
): boolean {
  if (maxBytes <= 0) return true;
  const declared = req.headers['content-length'];
  if (declared !== undefined) {
    if (Number(declared) <= maxBytes) return true;
    sendTooLarge(req, res, maxBytes);
    return false;
  }
  if (req.headers['transfer-encoding'] === undefined) return true;
  let seen = 0;
  const count = (chunk: Buffer) => {
    seen += chunk.length;
    if (seen <= maxBytes) return;
    req.off('data', count);
    cancel();
    req.unpipe();
    if (res.headersSent) res.destroy();
    else sendTooLarge(req, res, maxBytes);
  };
  req.on('data', count);
  return true;
}

function sendTooLarge(req: IncomingMessage, res: ServerResponse, maxBytes: number): void {
  const body = `request body larger than ${maxBytes} bytes\n`;
  // The rest of the body is never read: close the connection rather than parse it as the next request.
  // (An h2 stream is just reset when the response ends; h2 has no Connection header.)
  res.writeHead(413, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...(req.httpVersionMajor === 2 ? {} : { connection: 'close' }),
  });
  res.end(body);
}
