// The pipeline core, one batch of one partition in: decode and validate every message, store the
// valid events, dead-letter what can never be stored. The consumer, replay and redrive all run
// their batches through here; the caller commits the offset only after this resolves, so a crash
// at any point means redelivery, never loss. Where an event becomes a row, downwards:
// storeBatchEvents (copies of one eventId in rounds) → storeEvents (halving out refused rows) →
// writeEvents (one transaction) → storage/product-events.ts and shipping-addresses.ts (the rows).
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
import { storeBatchEvents, type DecodedEvent } from './store-batch-events.ts';
import { keepAliveWhile } from '../runtime/keep-alive-while.ts';

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

export async function processBatch(
  deps: BatchDependencies,
  source: DeadLetterSource,
  messages: readonly InboundMessage[],
): Promise<BatchSummary> {
  const events: DecodedEvent[] = [];
  const rejected: { message: InboundMessage; rejection: Rejection }[] = [];
  let skipped = 0;
  for (const message of messages) {
    const decoded = decodeIsolated(message, deps.eventLimits);
    if (decoded.kind === 'event') {
      events.push({ message, event: decoded.event, schemaVersion: decoded.schemaVersion });
    } else if (decoded.kind === 'skip') skipped += 1;
    else rejected.push({ message, rejection: { code: decoded.code, reason: decoded.reason } });
  }

  const {
    stored,
    storedBySchemaVersion,
    repeats,
    rejected: refused,
  } = await storeBatchEvents(deps, events);
  rejected.push(...refused);

  const failedAt = (deps.now ?? (() => new Date()))();
  const rejectedInOrder = rejected.sort((a, b) =>
    Number(BigInt(a.message.offset) - BigInt(b.message.offset)),
  );
  // The broker may take seconds (a topic's metadata retried): the group session is kept meanwhile.
  await keepAliveWhile(
    deps.sendDeadLetters(
      rejectedInOrder.map(({ message, rejection }) =>
        toDeadLetter(message, rejection, source, failedAt),
      ),
    ),
    deps.keepAlive,
  );

  const deadLettered: Partial<Record<Rejection['code'], number>> = {};
  for (const { rejection } of rejected) {
    deadLettered[rejection.code] = (deadLettered[rejection.code] ?? 0) + 1;
  }
  return {
    received: messages.length,
    stored,
    storedBySchemaVersion,
    repeats,
    skipped,
    deadLettered,
  };
}
