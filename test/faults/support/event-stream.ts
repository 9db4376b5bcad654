// A steady stream of product.purchased events, original and new shape mixed, at a given rate, in
// the background while a test breaks things. It records every eventId the broker acknowledged, so
// the test can compare what was produced with what was stored. (The producer's sendBulk generates
// its events internally and reports only a count; these tests need the ids.)
//
// A failed send is retried with the same events until the broker takes them (it may be
// restarting): an event counts as produced only once acknowledged, and a chunk the broker took
// just before failing may land on the topic twice, which the consumer must absorb.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from 'kafkajs';
import { toEventMessage } from '../../../src/apps/producer/event-message.ts';
import { generateNewEvent, generateOldEvent } from '../../../src/apps/producer/generate-event.ts';

export interface EventStreamOptions {
  readonly send: (messages: Message[]) => Promise<void>;
  readonly ratePerSecond: number;
  /** Produce at least this many events. */
  readonly minCount: number;
  /** Past minCount, go on producing while this says so (default: stop at minCount). */
  readonly continueWhile?: () => boolean;
  /** Called after a failed send, before the same events are sent again (e.g. to reconnect). */
  readonly onSendError?: (error: unknown) => Promise<void>;
  /** Give up when sends have failed for this long without a success (default 180 s). */
  readonly giveUpAfterMs?: number;
}

export interface EventStream {
  /** Every eventId the broker acknowledged. */
  readonly ids: ReadonlySet<string>;
  /** The acknowledged events that carry a shipping address. */
  readonly idsWithAddress: ReadonlySet<string>;
  /** How many events the broker acknowledged so far. */
  sent(): number;
  /** How many sends failed and were retried. */
  sendFailures(): number;
  /** Stops after the chunk in flight (cleanup). */
  stop(): void;
  /** Resolves with the number of events produced once the stream has ended. */
  readonly finished: Promise<number>;
}

const chunksPerSecond = 10;
const retryDelayMs = 500;

export function startEventStream(options: EventStreamOptions): EventStream {
  const ids = new Set<string>();
  const idsWithAddress = new Set<string>();
  const chunkSize = Math.max(1, Math.round(options.ratePerSecond / chunksPerSecond));
  const intervalMs = (chunkSize / options.ratePerSecond) * 1000;
  const giveUpAfterMs = options.giveUpAfterMs ?? 180_000;
  const continueWhile = options.continueWhile ?? (() => false);
  let stopped = false;
  let failures = 0;

  const sendUntilAcknowledged = async (messages: Message[]) => {
    const failingSince = performance.now();
    for (;;) {
      try {
        await options.send(messages);
        return;
      } catch (error) {
        failures += 1;
        if (stopped) throw error;
        if (performance.now() - failingSince > giveUpAfterMs) {
          throw new Error(`sends kept failing for ${giveUpAfterMs} ms`, { cause: error });
        }
        await options.onSendError?.(error).catch(() => undefined);
        await sleep(retryDelayMs);
      }
    }
  };

  const run = async () => {
    let nextAt = performance.now();
    while (!stopped && (ids.size < options.minCount || continueWhile())) {
      const events = Array.from({ length: chunkSize }, () =>
        Math.random() < 0.5 ? generateOldEvent() : generateNewEvent(),
      );
      await sendUntilAcknowledged(events.map(toEventMessage));
      for (const event of events) {
        ids.add(event.eventId);
        if (event.shippingAddress !== undefined) idsWithAddress.add(event.eventId);
      }
      // A steady pace: after a stall (an outage) carry on at the same rate, no burst to catch up.
      nextAt = Math.max(nextAt + intervalMs, performance.now() - intervalMs);
      const aheadMs = nextAt - performance.now();
      if (aheadMs > 0) await sleep(aheadMs);
    }
    return ids.size;
  };

  const finished = run();
  // Handled here so a failure never goes unhandled before the test awaits it; awaiting still throws.
  finished.catch(() => undefined);
  return {
    ids,
    idsWithAddress,
    sent: () => ids.size,
    sendFailures: () => failures,
    stop: () => {
      stopped = true;
    },
    finished,
  };
}
