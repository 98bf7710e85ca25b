import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeAfterAnswer, type Logger, readRequestBody, sendJson } from '@toolkit/lifecycle';
import type { RepoUpdaterMetrics } from '../metrics.ts';
import type { SyncOutcome } from '../sync/syncer.ts';
import { signatureCheck, verifyWithoutBody } from './verify.ts';

/**
 * GitHub caps webhook payloads at 25 MB but pushes are far smaller. The body is only hashed, as it
 * arrives: a signed request costs its sender's bandwidth and our HMAC, never memory.
 */
export const maxBodyBytes = 4 * 1024 * 1024;

export interface SyncRouteParts {
  token: string | undefined;
  requestSync(): Promise<SyncOutcome>;
  /** True once shutdown has begun. */
  stopping(): boolean;
  metrics: RepoUpdaterMetrics;
  log: Logger;
}

/**
 * POST /sync: starts a sync now. Answers 202 at once (webhook senders time out after a few seconds);
 * with `?wait` it answers when that sync is done, 200 with the commit or 500 with the error.
 */
export function createSyncHandler(parts: SyncRouteParts) {
  const { metrics, log } = parts;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const refuse = (status: number, result: string, error: string) => {
      metrics.syncRequests.inc({ result });
      sendJson(res, status, { error });
    };
    if (!parts.token)
      return refuse(403, 'disabled', 'POST /sync is off: start with --sync-token to enable it');
    if (parts.stopping()) return refuse(503, 'shutting_down', 'shutting down');
    const unauthorized = (reason: string) => {
      log.warn({ reason, remote: req.socket.remoteAddress }, 'POST /sync refused');
      // The body, if any, is not kept: the connection closes after the answer.
      closeAfterAnswer(req, res);
      refuse(401, 'unauthorized', reason);
    };
    // The token before the body: only a GitHub signature needs the body to be checked.
    const early = verifyWithoutBody(req.headers, parts.token);
    if (early && !early.ok) return unauthorized(early.reason);
    const signed = early ? undefined : signatureCheck(req.headers, parts.token);
    const read = await readRequestBody(req, res, maxBodyBytes, signed?.update);
    if (!read.ok) return refuse(read.status, 'too_large', read.message);
    const verdict = early ?? signed!.verdict();
    if (!verdict.ok) return unauthorized(verdict.reason);
    metrics.syncRequests.inc({ result: 'accepted' });
    const event = req.headers['x-github-event'] ?? req.headers['x-gitlab-event'];
    log.debug({ via: verdict.via, event }, 'POST /sync accepted');
    const outcome = parts.requestSync();
    if (!new URL(req.url ?? '/', 'http://localhost').searchParams.has('wait')) {
      return sendJson(res, 202, { accepted: true });
    }
    const { result, commit, error } = await outcome;
    const failed = result === 'error' || result === 'rejected';
    sendJson(res, failed ? 500 : 200, {
      result,
      commit: commit ?? null,
      ...(error ? { error: error.toLog() } : {}),
    });
  };
}
