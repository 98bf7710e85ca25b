import { connect, type TLSSocket } from 'node:tls';

export interface Exchange {
  /** Everything the proxy passed back before it closed. */
  reply: string;
  alpn: string | false;
  /** The connection ended without an error (false: reset or refused by the proxy). */
  clean: boolean;
  /** The client's own port, as the app should learn it from a PROXY header. */
  localPort: number | undefined;
}

/**
 * A raw TLS client: sends `payload`, then half-closes its side (FIN) and reads until the proxy closes.
 * Resolves in every case (the proxy cutting the connection is an answer too); bounded by `timeoutMs`.
 */
export function tlsExchange(
  port: number,
  payload: string,
  options: { ca: string; alpn?: string[]; end?: boolean; timeoutMs?: number; cert?: string; key?: string },
): Promise<Exchange> {
  return new Promise((resolve) => {
    let reply = '';
    let clean = true;
    const socket: TLSSocket = connect({
      port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      ...(options.alpn ? { ALPNProtocols: options.alpn } : {}),
    });
    let localPort: number | undefined;
    socket.once('secureConnect', () => {
      localPort = socket.localPort;
      socket.write(payload);
      if (options.end !== false) socket.end();
    });
    socket.on('data', (chunk) => {
      reply += chunk;
    });
    socket.on('error', () => {
      clean = false;
    });
    const timer = setTimeout(() => socket.destroy(), options.timeoutMs ?? 5000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ reply, alpn: socket.alpnProtocol ?? false, clean, localPort });
    });
  });
}
