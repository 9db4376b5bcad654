// The port's range reader on kafkajs: reads a fixed range of a topic (per partition: from `start`
// up to, not including, `end`) with a consumer group of its own, hands each partition's messages
// in the range to `handle`, and finishes once every range is read and committed. Used by replay
// and dead-letter redrive; the live group's offsets are never touched.
import type { Kafka } from 'kafkajs';
import type { RangeReader, RangeReadOptions } from '../../messaging/port.ts';

export async function readRange(kafka: Kafka, options: RangeReadOptions): Promise<RangeReader> {
  const { topic } = options;
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
