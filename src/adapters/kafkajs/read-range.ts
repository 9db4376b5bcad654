// The port's range reader on kafkajs: reads a fixed range of a topic (per partition: from `start`
// up to, not including, `end`) with a consumer group of its own, hands each partition's messages
// in the range to `handle`, and finishes once every range is read and committed. Used by replay
// and dead-letter redrive; the live group's offsets are never touched. A record batch inside a
// range that cannot be read ends the read: what comes before it is handled, then `finished`
// rejects with UnreadableBatchError, since that range can never be finished.
import type { Kafka } from 'kafkajs';
import type { RangeReader, RangeReadOptions } from '../../messaging/port.ts';
import { UnreadableBatchError } from '../../messaging/unreadable-batch-error.ts';
import { splitUnreadable } from './unreadable-marker.ts';

export async function readRange(kafka: Kafka, options: RangeReadOptions): Promise<RangeReader> {
  const { topic } = options;
  const ranges = new Map(
    options.ranges
      .filter((range) => range.start < range.end)
      .map((range) => [range.partition, range]),
  );
  const done = new Set<number>();
  let finish: () => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  if (ranges.size === 0) finish();

  const consumer = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async (payload) => {
      const { batch } = payload;
      const range = ranges.get(batch.partition);
      const split = splitUnreadable(batch.messages);
      const last = split.messages.at(-1);
      if (range === undefined || done.has(batch.partition)) {
        consumer.pause([{ topic, partitions: [batch.partition] }]); // outside the range: not ours
        return;
      }
      // Past the range's end, an unreadable batch is none of this read's business.
      const unreadable =
        split.unreadable !== undefined && BigInt(split.unreadable.offset) < range.end
          ? split.unreadable
          : undefined;
      if (last === undefined && split.unreadable === undefined) return;
      const messages = split.messages.filter(
        (m) => BigInt(m.offset) >= range.start && BigInt(m.offset) < range.end,
      );
      const lastInRange = messages.at(-1);
      if (lastInRange !== undefined) {
        let committed = false;
        await options.handle(batch.partition, messages, {
          heartbeat: () => payload.heartbeat(),
          isActive: () => payload.isRunning() && !payload.isStale(),
          // A fetch returns what the partition holds, often past the end (letters appended during
          // a redrive, a replay ending mid-fetch): those were not handled, so they are never
          // resolved. The commit stops at the end, and the next run, which starts there, reads them.
          commit: async () => {
            payload.resolveOffset(lastInRange.offset);
            await payload.commitOffsetsIfNecessary();
            committed = true;
          },
        });
        // Not committed (stopping, or rebalanced mid-retry): this partition is not done.
        if (!committed) return;
      }
      if (unreadable !== undefined) {
        consumer.pause([{ topic, partitions: [batch.partition] }]);
        fail(new UnreadableBatchError(topic, batch.partition, unreadable));
        return;
      }
      // The next position: after the last message, or the unreadable batch past the range's end.
      const next =
        split.unreadable !== undefined
          ? BigInt(split.unreadable.offset)
          : BigInt(last?.offset ?? '-1') + 1n;
      if (next >= range.end) {
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
  void finished.then(stop, stop);
  return { finished, stop };
}
