// Reads a fixed range of a topic (per partition: from `start` up to, not including, `end`) with a
// consumer group of its own, hands each partition's messages to `handle`, and returns once every
// range is done. Used by replay and dead-letter redrive; the live group's offsets are never touched.
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from '../../runtime/logger.ts';
import { errorFields } from '../../runtime/logger.ts';
import { retryTransient } from '../../runtime/retry-transient.ts';

export interface PartitionRange {
  readonly partition: number;
  readonly start: bigint;
  /** Exclusive. */
  readonly end: bigint;
}

export interface ReadRangeOptions {
  readonly topic: string;
  readonly groupId: string;
  readonly ranges: readonly PartitionRange[];
  readonly handle: (partition: number, messages: KafkaMessage[]) => Promise<void>;
  readonly logger: Logger;
}

export interface RangeReader {
  /** Resolves when every range has been read and handled. */
  readonly finished: Promise<void>;
  /** Stops early (Ctrl+C): what was handled stays handled; the rest is simply not read. */
  stop(): Promise<void>;
}

export async function readRange(kafka: Kafka, options: ReadRangeOptions): Promise<RangeReader> {
  const { topic, logger } = options;
  const ranges = new Map(
    options.ranges
      .filter((range) => range.start < range.end)
      .map((range) => [range.partition, range]),
  );
  const done = new Set<number>();
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  if (ranges.size === 0) finish();

  const consumer = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async (payload) => {
      const { batch } = payload;
      const range = ranges.get(batch.partition);
      const last = batch.messages.at(-1);
      if (range === undefined || done.has(batch.partition)) {
        consumer.pause([{ topic, partitions: [batch.partition] }]); // outside the range: not ours
        return;
      }
      if (last === undefined) return;
      const messages = batch.messages.filter(
        (m) => BigInt(m.offset) >= range.start && BigInt(m.offset) < range.end,
      );
      const lastInRange = messages.at(-1);
      if (lastInRange !== undefined) {
        const outcome = await retryTransient(() => options.handle(batch.partition, messages), {
          keepAlive: () => payload.heartbeat(),
          shouldContinue: () => payload.isRunning() && !payload.isStale(),
          onRetry: (error, attempt) =>
            logger.warn('retrying', { partition: batch.partition, attempt, ...errorFields(error) }),
        });
        if (!outcome.done) return;
        // A fetch returns what the partition holds, often past the end (letters appended during a
        // redrive, a replay ending mid-fetch): those were not handled, so they are never resolved.
        // The commit stops at the end, and the next run, which starts there, reads them.
        payload.resolveOffset(lastInRange.offset);
        await payload.commitOffsetsIfNecessary();
      }
      if (BigInt(last.offset) + 1n >= range.end) {
        done.add(batch.partition);
        consumer.pause([{ topic, partitions: [batch.partition] }]);
        if (done.size === ranges.size) finish();
      }
    },
  });
  for (const range of ranges.values())
    consumer.seek({ topic, partition: range.partition, offset: String(range.start) });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await consumer.disconnect();
  };
  void finished.then(stop);
  return { finished, stop };
}
