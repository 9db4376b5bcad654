// The pipeline core, one batch of one partition in: decode and validate every message, store the
// valid events, dead-letter what can never be stored. The consumer, replay and redrive all run
// their batches through here; the caller commits the offset only after this resolves, so a crash
// at any point means redelivery, never loss. A batch is settled in slices of bounded value bytes
// (slice-batch.ts), each decoded, stored and dead-lettered before the next is decoded, so memory
// follows the slice, not the batch; since the outcome never depends on where batches split, it
// does not depend on where slices split either. Where an event becomes a row, downwards:
// settleCopiesInRounds → isolateRefusedRows → writeInOneTransaction → storage's upserts.
// The consumer bounds the writes one call may spend (write-budget.ts): the call may then settle
// only the batch's first messages, and its summary counts only those (`received` of them).
import type { Knex } from 'knex';
import type { Rejection } from '../domain/errors/error-codes.ts';
import type { StorageSchemaProbe } from '../storage/storage-schema.ts';
import {
  decodeEvent,
  type Decoded,
  type EventLimits,
  type SchemaVersion,
} from '../domain/events/decode-event.ts';
import { toDeadLetter, type DeadLetterSource } from './to-dead-letter.ts';
import type { InboundMessage } from '../messaging/message.ts';
import type { DeadLetterSink } from '../messaging/port.ts';
import {
  settleCopiesInRounds,
  type DecodedEvent,
  type StoredBatch,
} from './settle-copies-in-rounds.ts';
import { keepAliveWhile } from '../runtime/keep-alive-while.ts';
import { sliceBatch, sliceMaxMessages } from './slice-batch.ts';
import { WriteBudget } from './write-budget.ts';

export interface BatchDependencies {
  readonly db: Knex;
  readonly storageSchema: StorageSchemaProbe;
  /** Sends dead letters and resolves once the broker has them. */
  readonly sendDeadLetters: DeadLetterSink;
  readonly now?: () => Date;
  /** Heartbeats the consumer group during long work (isolating bad rows takes many round trips). */
  readonly keepAlive?: () => Promise<void>;
  /** Messages beyond these are dead-lettered unparsed (default: decode-event.ts). */
  readonly eventLimits?: EventLimits;
  /** Message value bytes decoded at once (config: CONSUMER_SLICE_MAX_BYTES). */
  readonly sliceMaxBytes: number;
  /** Messages decoded at once (default: slice-batch.ts). */
  readonly sliceMaxMessages?: number;
  /** Stores a slice's events (default: settleCopiesInRounds on `db`); the consumer's unit tests pass a
   * store in memory. */
  readonly storeSliceEvents?: (
    events: readonly DecodedEvent[],
    storedEarlier: ReadonlySet<string>,
    budget: WriteBudget,
  ) => Promise<StoredBatch>;
  /**
   * Writes one settle() may spend (default: no bound). Once spent, it settles no further than the
   * first message not yet settled and returns: the caller commits the messages before it and reads
   * the rest again as a later batch.
   */
  readonly maxWrites?: number;
}

export interface BatchSummary {
  readonly received: number;
  readonly stored: number;
  readonly storedBySchemaVersion: Readonly<Record<SchemaVersion, number>>;
  readonly repeats: number;
  readonly skipped: number;
  readonly deadLettered: Readonly<Partial<Record<Rejection['code'], number>>>;
}

// The isolation boundary of one message: whatever its content makes decoding throw (a bug, a
// limit we did not foresee), it costs that message a dead letter, never the partition. The
// reason names the error class only: an error message may quote the payload.
function decodeIsolated(message: InboundMessage, limits: EventLimits | undefined): Decoded {
  try {
    return decodeEvent(message.value, limits);
  } catch (error) {
    const kind = error instanceof Error ? error.name : typeof error;
    return {
      kind: 'reject',
      code: 'EVENT_UNPROCESSABLE',
      reason: `decoding the message failed with ${kind}`,
    };
  }
}

/** What the settled slices of a batch add up to. */
class BatchTally {
  received = 0;
  stored = 0;
  readonly storedBySchemaVersion: Record<SchemaVersion, number> = { 1: 0, 2: 0 };
  repeats = 0;
  skipped = 0;
  readonly deadLettered: Partial<Record<Rejection['code'], number>> = {};
  /** eventIds stored by settled slices: another copy in a later slice is a repeat. */
  readonly storedIds = new Set<string>();
  /** eventIds stored by attempts that failed afterwards: still stored by this batch. */
  readonly storedByFailedAttempts = new Set<string>();
}

/**
 * A partition batch settled slice by slice, in offset order. settle() goes on from the first slice
 * not yet settled, so retrying it after a passing failure neither stores nor dead-letters a
 * settled slice again.
 */
export class SlicedBatch {
  readonly #deps: BatchDependencies;
  readonly #source: DeadLetterSource;
  readonly #slices: (readonly InboundMessage[])[];
  #settled = 0;
  readonly #tally = new BatchTally();

  constructor(
    deps: BatchDependencies,
    source: DeadLetterSource,
    messages: readonly InboundMessage[],
  ) {
    this.#deps = deps;
    this.#source = source;
    this.#slices = sliceBatch(messages, {
      maxBytes: deps.sliceMaxBytes,
      maxMessages: deps.sliceMaxMessages ?? sliceMaxMessages,
    });
  }

  /**
   * Settles the batch, or with `maxWrites` its first messages: `received` says how many. Those
   * are settled for good (stored, dead-lettered or skipped); the rest is for a later batch, read
   * again (settle() is called again only after a failure, never after the budget stopped it).
   */
  async settle(): Promise<BatchSummary> {
    const budget = new WriteBudget(this.#deps.maxWrites);
    for (; this.#settled < this.#slices.length; this.#settled += 1) {
      // Each slice is a store of its own: the group hears from this member between them.
      if (this.#settled > 0) await this.#deps.keepAlive?.();
      if (this.#settled > 0 && !budget.allows()) break;
      const whole = await this.#settleSlice(this.#slices[this.#settled] ?? [], budget);
      if (!whole) break;
    }
    const { received, stored, storedBySchemaVersion, repeats, skipped, deadLettered } = this.#tally;
    return { received, stored, storedBySchemaVersion, repeats, skipped, deadLettered };
  }

  /** Settles a slice, or its messages before the first the budget left: false then. */
  async #settleSlice(slice: readonly InboundMessage[], budget: WriteBudget): Promise<boolean> {
    const deps = this.#deps;
    const decoded = slice.map((message) => ({
      message,
      decoded: decodeIsolated(message, deps.eventLimits),
    }));
    const events: DecodedEvent[] = [];
    for (const { message, decoded: one } of decoded) {
      if (one.kind === 'event') {
        events.push({ message, event: one.event, schemaVersion: one.schemaVersion });
      }
    }

    const tally = this.#tally;
    const stored =
      deps.storeSliceEvents === undefined
        ? await settleCopiesInRounds(
            deps,
            events,
            tally.storedIds,
            budget,
            tally.storedByFailedAttempts,
          )
        : await deps.storeSliceEvents(events, tally.storedIds, budget);
    // Should the dead letters below fail, the retry finds these rows and must not call them repeats.
    for (const eventId of stored.storedIds) tally.storedByFailedAttempts.add(eventId);
    // Messages from the first event the budget left are for a later batch: neither dead-lettered
    // nor counted here.
    const { unsettledFrom } = stored;
    const settled =
      unsettledFrom === undefined
        ? decoded
        : decoded.filter(({ message }) => BigInt(message.offset) < unsettledFrom);
    const messages = settled.map(({ message }) => message);
    const rejected: { message: InboundMessage; rejection: Rejection }[] = [];
    let skipped = 0;
    for (const { message, decoded: one } of settled) {
      if (one.kind === 'skip') skipped += 1;
      else if (one.kind === 'reject') {
        rejected.push({ message, rejection: { code: one.code, reason: one.reason } });
      }
    }
    rejected.push(...stored.rejected);
    if (rejected.length > 0) {
      const failedAt = (deps.now ?? (() => new Date()))();
      const rejectedInOrder = rejected.sort((a, b) =>
        Number(BigInt(a.message.offset) - BigInt(b.message.offset)),
      );
      // The broker may take seconds (a topic's metadata retried): the group session is kept meanwhile.
      await keepAliveWhile(
        deps.sendDeadLetters(
          rejectedInOrder.map(({ message, rejection }) =>
            toDeadLetter(message, rejection, this.#source, failedAt),
          ),
        ),
        deps.keepAlive,
      );
    }

    // Counted once the slice is settled: a slice retried after a failure is counted once.
    tally.received += messages.length;
    tally.stored += stored.stored;
    for (const version of [1, 2] as const) {
      tally.storedBySchemaVersion[version] += stored.storedBySchemaVersion[version];
    }
    tally.repeats += stored.repeats;
    tally.skipped += skipped;
    for (const { rejection } of rejected) {
      tally.deadLettered[rejection.code] = (tally.deadLettered[rejection.code] ?? 0) + 1;
    }
    for (const eventId of stored.storedIds) tally.storedIds.add(eventId);
    return unsettledFrom === undefined;
  }
}

/** Settles a whole batch; a caller that retries should keep one SlicedBatch across attempts. */
export function processBatch(
  deps: BatchDependencies,
  source: DeadLetterSource,
  messages: readonly InboundMessage[],
): Promise<BatchSummary> {
  return new SlicedBatch(deps, source, messages).settle();
}
