// The consumer's logic for one batch of one partition: decode and validate every message, store
// the valid events in one transaction, dead-letter what can never be stored. The caller advances
// the offset only after this resolves, so a crash at any point means redelivery, never loss.
import type { Knex } from 'knex';
import type { Message } from 'kafkajs';
import { ServiceError, type Rejection } from '../errors/error-codes.ts';
import type { StorageSchemaProbe } from '../db/storage-schema.ts';
import { carriesV2Data, decodeEvent, type SchemaVersion } from '../events/decode-event.ts';
import { toDeadLetter, type DeadLetterSource } from '../dead-letters/to-dead-letter.ts';
import type { ProductPurchasedV2 } from '../schemas/types.ts';
import { dedupeEvents } from './dedupe-events.ts';
import type { SourceMessage } from './source-message.ts';
import { storeEvents } from './store-events.ts';

export interface BatchDependencies {
  readonly db: Knex;
  readonly storageSchema: StorageSchemaProbe;
  /** Sends dead letters and resolves once the broker has them. */
  readonly sendDeadLetters: (messages: Message[]) => Promise<void>;
  readonly now?: () => Date;
}

export interface BatchSummary {
  readonly received: number;
  readonly stored: number;
  readonly storedBySchemaVersion: Readonly<Record<SchemaVersion, number>>;
  readonly repeats: number;
  readonly skipped: number;
  readonly deadLettered: Readonly<Partial<Record<Rejection['code'], number>>>;
}

interface DecodedEvent {
  readonly message: SourceMessage;
  readonly event: ProductPurchasedV2;
  readonly schemaVersion: SchemaVersion;
}

export async function processBatch(
  deps: BatchDependencies,
  source: DeadLetterSource,
  messages: readonly SourceMessage[],
): Promise<BatchSummary> {
  const events: DecodedEvent[] = [];
  const rejected: { message: SourceMessage; rejection: Rejection }[] = [];
  let skipped = 0;
  for (const message of messages) {
    const decoded = decodeEvent(message.value);
    if (decoded.kind === 'event') events.push({ message, ...decoded });
    else if (decoded.kind === 'skip') skipped += 1;
    else rejected.push({ message, rejection: { code: decoded.code, reason: decoded.reason } });
  }

  const { unique, repeats, conflicts } = dedupeEvents(events);
  const conflictReason = 'another event with this eventId and different content came first';
  for (const { message } of conflicts) {
    rejected.push({ message, rejection: { code: 'EVENT_ID_CONFLICT', reason: conflictReason } });
  }

  const needsV2 = unique.some((item) => carriesV2Data(item.event));
  const schema = await deps.storageSchema.current(needsV2);
  if (schema === undefined) {
    throw new ServiceError(
      'DATABASE_NOT_MIGRATED',
      'product_events is gone: run `npm run db:migrate`',
    );
  }
  if (needsV2 && schema === 'v1') {
    const reason = 'events with v2 fields wait for the v2 migration: run `npm run db:migrate`';
    throw new ServiceError('DATABASE_LACKS_V2', reason);
  }
  const written = await storeEvents(
    deps.db,
    unique.map((item) => item.event),
    schema,
  );
  const storedBySchemaVersion = { 1: 0, 2: 0 };
  for (const item of unique) {
    const refusedWith = written.refusedEventIds.get(item.event.eventId);
    if (refusedWith !== undefined) {
      const reason = `Postgres refused the event's row (SQLSTATE ${refusedWith})`;
      rejected.push({
        message: item.message,
        rejection: { code: 'EVENT_REJECTED_BY_DATABASE', reason },
      });
    } else if (written.conflictingEventIds.has(item.event.eventId)) {
      const reason = 'an event with this eventId and different content is stored';
      rejected.push({ message: item.message, rejection: { code: 'EVENT_ID_CONFLICT', reason } });
    } else {
      storedBySchemaVersion[item.schemaVersion] += 1;
    }
  }

  const failedAt = (deps.now ?? (() => new Date()))();
  const rejectedInOrder = rejected.sort((a, b) =>
    Number(BigInt(a.message.offset) - BigInt(b.message.offset)),
  );
  await deps.sendDeadLetters(
    rejectedInOrder.map(({ message, rejection }) =>
      toDeadLetter(message, rejection, source, failedAt),
    ),
  );

  const deadLettered: Partial<Record<Rejection['code'], number>> = {};
  for (const { rejection } of rejected) {
    deadLettered[rejection.code] = (deadLettered[rejection.code] ?? 0) + 1;
  }
  return {
    received: messages.length,
    stored: written.stored,
    storedBySchemaVersion,
    repeats: repeats.length,
    skipped,
    deadLettered,
  };
}
