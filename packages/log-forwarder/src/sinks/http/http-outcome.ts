import type { RecordSlice } from '../../records/record.ts';
import { deliverAll, dropAll, retryAll, type SendOutcome } from '../sink.ts';
import type { HttpAnswer } from './http-post.ts';
import { classifyStatus, parseRetryAfter } from './http-status.ts';

/** The start of an error body for the log: enough to see the reason, never a whole page. */
export function excerpt(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}...` : flat;
}

/** What a whole-batch HTTP answer means: 2xx delivered, 408/429/5xx retried (Retry-After honoured), other 4xx dropped. */
export function outcomeOfAnswer(records: RecordSlice[], answer: HttpAnswer): SendOutcome {
  const verdict = classifyStatus(answer.status);
  if (verdict === 'ok') return deliverAll(records);
  const problem = `HTTP ${answer.status}${answer.body ? `: ${excerpt(answer.body)}` : ''}`;
  // Too large for the server (nginx takes 1 MiB by default): sent again in halves, not dropped.
  if (answer.status === 413) return { ...retryAll(records, problem), tooLarge: true };
  if (verdict === 'drop') return dropAll(records, problem);
  const retryAfter = answer.headers['retry-after'];
  return retryAll(records, problem, parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter));
}

/** A request that got no answer (refused, reset, timed out): always retried. */
export function outcomeOfError(records: RecordSlice[], error: unknown): SendOutcome {
  const cause = (error as Error).cause as Error | undefined;
  const message = (error as Error).message ?? String(error);
  return retryAll(records, cause?.message ? `${message}: ${cause.message}` : message);
}
