import { type Agent, request } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface ReadinessProbe {
  upstream: URL;
  /** For an https: upstream: the agent with the outgoing trust and identity. */
  httpsAgent?: Agent;
  path: string;
  intervalMs: number;
  signal: AbortSignal;
  onReady: () => void;
  onNotReady: (reason: string) => void;
}

/** One GET to the upstream: resolves with undefined when it answers 2xx or 3xx, else with why not. */
export function checkUpstream(url: URL, timeoutMs: number, httpsAgent?: Agent): Promise<string | undefined> {
  return new Promise((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : request;
    const agent = url.protocol === 'https:' ? (httpsAgent ?? false) : false;
    const req = send(url, { method: 'GET', agent, timeout: timeoutMs }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 400 ? undefined : `upstream answered ${status} on ${url.pathname}`);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs}ms`)));
    req.on('error', (error) => resolve(`upstream check on ${url.pathname} failed: ${error.message}`));
    req.end();
  });
}

/**
 * Checks the upstream until shutdown begins: ready while it answers, not ready while it does not (so the
 * Service stops sending here rather than getting 502s). The first check runs at once.
 */
export function watchUpstreamReadiness(probe: ReadinessProbe): void {
  const url = new URL(probe.path, probe.upstream);
  const timeoutMs = Math.min(probe.intervalMs, 5000);
  let timer: NodeJS.Timeout | undefined;
  const run = async () => {
    const failure = await checkUpstream(url, timeoutMs, probe.httpsAgent);
    if (probe.signal.aborted) return;
    if (failure === undefined) probe.onReady();
    else probe.onNotReady(failure);
    timer = setTimeout(run, probe.intervalMs);
    timer.unref();
  };
  probe.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  void run();
}
