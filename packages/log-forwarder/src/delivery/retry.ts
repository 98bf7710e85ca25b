import type { BackoffPolicy } from '@toolkit/lifecycle';

/**
 * How long to wait between tries of a batch (doubling from `initialMs`, never above `maxMs`, with
 * jitter: lifecycle's computeBackoff), and how many tries.
 */
export interface RetryPolicy extends BackoffPolicy {
  /** Retries before the records are dropped; 0 means no limit. */
  limit: number;
}
