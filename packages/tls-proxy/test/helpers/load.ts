import { Agent } from 'node:https';
import { httpsRequest } from './client.ts';

export interface LoadResult {
  ok: number;
  /** Connections refused or reset before the TLS handshake: the listener was closed, nothing was accepted. */
  refused: number;
  /**
   * Requests written to a kept-alive connection just as the server closed it while idle: HTTP/1.1 cannot
   * avoid this race, and clients retry them (RFC 9112 §9.3.1; Node's docs show the same retry).
   */
  resetOnReuse: number;
  /** Everything else: accepted requests that were lost or failed. */
  failures: string[];
}

/**
 * Requests in a loop from `workers` concurrent clients until `stop` resolves (or `maxMs` passes): half
 * keep a connection alive, half open a new TLS connection per request. Bounded in time and count.
 */
export async function runLoad(
  url: string,
  ca: string,
  stop: Promise<unknown>,
  { workers = 4, maxMs = 10_000, maxRequests = 5000 } = {},
): Promise<LoadResult> {
  const result: LoadResult = { ok: 0, refused: 0, resetOnReuse: 0, failures: [] };
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  const deadline = Date.now() + maxMs;
  const agent = new Agent({ keepAlive: true, maxSockets: workers });
  const worker = async (index: number) => {
    while (!stopped && Date.now() < deadline && result.ok + result.failures.length < maxRequests) {
      try {
        const reply = await httpsRequest(url, { ca, ...(index % 2 === 0 ? { agent } : {}) });
        if (reply.status === 200) result.ok += 1;
        else result.failures.push(`status ${reply.status}`);
      } catch (error) {
        const { code, reusedSocket, handshaked, message } = error as Error & {
          code?: string;
          reusedSocket?: boolean;
          handshaked?: boolean;
        };
        if (code === 'ECONNREFUSED' || (!reusedSocket && !handshaked)) result.refused += 1;
        else if (reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) result.resetOnReuse += 1;
        else result.failures.push(`${code ?? ''} ${message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, index) => worker(index)));
  agent.destroy();
  return result;
}
