// Retries work that failed for a passing reason (database or broker briefly away) with exponential
// backoff and jitter, for as long as it takes, while keeping the consumer's group session alive.
// Anything else is rethrown at once: a bug is never retried, bad data is handled by the caller.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClassifyFailure } from '../domain/errors/classify-error.ts';

export const retryDefaults = Object.freeze({
  initialDelayMs: 100,
  maxDelayMs: 3_000, // the consumer resumes within ~3 s of the database's return
  keepAliveEveryMs: 1_000, // well inside kafkajs's 3 s heartbeat interval
});

export interface RetryControl {
  /** What a failure means, by the edges the operation reaches: only `transient` is retried. */
  readonly classify: ClassifyFailure;
  /** Called between attempts: heartbeats the group (throws on a rebalance, which ends retrying). */
  readonly keepAlive: () => Promise<void>;
  /** False once the consumer stops or the batch is stale: stop retrying. */
  readonly shouldContinue: () => boolean;
  readonly onRetry: (error: unknown, attempt: number, delayMs: number) => void;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
}

/** The operation's result, or `aborted` when shouldContinue turned false between attempts. */
export type Retried<T> = { readonly done: true; readonly value: T } | { readonly done: false };

export function backoffDelayMs(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2)); // "equal jitter": never zero, never in step
}

export async function retryTransient<T>(
  operation: () => Promise<T>,
  control: RetryControl,
): Promise<Retried<T>> {
  const initialMs = control.initialDelayMs ?? retryDefaults.initialDelayMs;
  const maxMs = control.maxDelayMs ?? retryDefaults.maxDelayMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return { done: true, value: await operation() };
    } catch (error) {
      if (control.classify(error) !== 'transient') throw error;
      const delayMs = backoffDelayMs(attempt, initialMs, maxMs);
      control.onRetry(error, attempt, delayMs);
      for (let waited = 0; waited < delayMs; waited += retryDefaults.keepAliveEveryMs) {
        if (!control.shouldContinue()) return { done: false };
        await sleep(Math.min(retryDefaults.keepAliveEveryMs, delayMs - waited));
        await control.keepAlive();
      }
      if (!control.shouldContinue()) return { done: false };
    }
  }
}
