import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestRecorder } from './access-log.ts';

/**
 * Answers a request Node's parser refused (what Node does with no 'clientError' listener, plus a
 * count and a log line): 431 for a head over --max-header-size, 408 when it took longer than
 * --header-timeout, 400 for anything malformed (both Content-Length and Transfer-Encoding, a bad
 * chunk, no Host...). A client that already left is just dropped.
 */
export function answerClientError(
  error: Error & { code?: string },
  socket: Socket,
  recorder: RequestRecorder,
  client: string,
): void {
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  // A pipelined request may fail while an earlier response is still being written: never write into it.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent: boolean } })._httpMessage;
  if (!inFlight?.headersSent) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
    );
  }
  socket.destroySoon();
  recorder.record({
    method: undefined,
    path: undefined,
    status,
    ms: 0,
    client,
    malformed: error.code ?? 'unknown',
  });
}
