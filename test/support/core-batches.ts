// Runs message values through the pipeline core (processBatch) straight into a database, batch by
// batch, with a dead-letter sink that collects: the core tested without Kafka. Batches are settled
// whole unless slice limits are given.
import type { Knex } from 'knex';
import type { OutboundMessage } from '../../src/messaging/message.ts';
import { processBatch, type BatchSummary } from '../../src/pipeline/process-batch.ts';
import { storageSchemaProbe } from '../../src/storage/storage-schema.ts';
import { deadLetterHeaders } from '../../src/pipeline/to-dead-letter.ts';
import type { SliceLimits } from '../../src/pipeline/slice-batch.ts';

/** Every batch one slice, as processBatch settled batches before it sliced them. */
export const unsliced: SliceLimits = Object.freeze({
  maxBytes: Number.MAX_SAFE_INTEGER,
  maxMessages: Number.MAX_SAFE_INTEGER,
});

export interface CoreRun {
  /** Dead-letter code by the offset of the message it replaces. */
  readonly codes: Map<number, string>;
  /** How many dead letters were sent: more than codes.size means a message got two. */
  readonly letterCount: number;
  /** Dead-letter reason by offset. */
  readonly reasons: Map<number, string>;
  readonly summaries: BatchSummary[];
}

const source = { topic: 'core', partition: 0, group: 'core-test' };

/** Processes each batch in turn; offsets count on across batches from `firstOffset`. */
export async function runCoreBatches(
  db: Knex,
  batches: readonly (readonly (string | object)[])[],
  firstOffset = 0,
  slices: SliceLimits = unsliced,
): Promise<CoreRun> {
  const letters: OutboundMessage[] = [];
  const deps = {
    db,
    storageSchema: storageSchemaProbe(db),
    sendDeadLetters: (messages: readonly OutboundMessage[]) => {
      letters.push(...messages);
      return Promise.resolve();
    },
    sliceMaxBytes: slices.maxBytes,
    sliceMaxMessages: slices.maxMessages,
  };
  const summaries: BatchSummary[] = [];
  let offset = firstOffset;
  for (const batch of batches) {
    const messages = batch.map((value) => ({
      key: null,
      value: Buffer.isBuffer(value)
        ? value
        : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8'),
      headers: {},
      offset: String(offset++),
    }));
    summaries.push(await processBatch(deps, source, messages));
  }
  const codes = new Map(
    letters.map((letter) => [
      Number(String(letter.headers?.[deadLetterHeaders.offset])),
      String(letter.headers?.[deadLetterHeaders.code]),
    ]),
  );
  const reasons = new Map(
    letters.map((letter) => [
      Number(String(letter.headers?.[deadLetterHeaders.offset])),
      String(letter.headers?.[deadLetterHeaders.reason]),
    ]),
  );
  return { codes, reasons, letterCount: letters.length, summaries };
}
