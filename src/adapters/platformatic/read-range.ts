// The port's range reader on @platformatic/kafka: reads a fixed range of a topic (per partition:
// from `start` up to, not including, `end`) with a consumer group of its own, hands each
// partition's messages in the range to `handle`, and finishes once every range is read and
// committed. Used by replay and dead-letter redrive; the live group's offsets are never touched.
import { setTimeout as sleep } from 'node:timers/promises';
import { MessagesStreamFallbackModes, MessagesStreamModes } from '@platformatic/kafka';
import type { BatchControl, RangeReader, RangeReadOptions } from '../../messaging/port.ts';
import type { ClientOptions } from './client-options.ts';
import { UnreadableBatchError } from '../../messaging/unreadable-batch-error.ts';
import { ReadingConsumer as Consumer } from './reading-consumer.ts';
import { streamReadOptions } from './stream-read-options.ts';
import { streamRounds, toInbound, type KafkaStream, type PartitionRound } from './stream-rounds.ts';

const reopenDelayMs = 1_000;

export function readRange(client: ClientOptions, options: RangeReadOptions): Promise<RangeReader> {
  const { topic } = options;
  const ranges = new Map(
    options.ranges
      .filter((range) => range.start < range.end)
      .map((range) => [range.partition, range]),
  );
  // Where each partition's next read starts: the range start, then past each committed batch.
  const positions = new Map([...ranges].map(([partition, range]) => [partition, range.start]));
  const done = new Set<number>();
  let stopped = false;
  let wakeReader: () => void = () => undefined;

  const consumer = new Consumer({ ...client, groupId: options.groupId, autocommit: false });
  const open = () =>
    consumer.consume({
      topics: [topic],
      mode: MessagesStreamModes.MANUAL,
      // Partitions outside the ranges are read from their end, and their messages ignored.
      fallbackMode: MessagesStreamFallbackModes.LATEST,
      offsets: [...positions]
        .filter(([partition]) => !done.has(partition))
        .map(([partition, offset]) => ({ topic, partition, offset })),
      autocommit: false,
      ...streamReadOptions,
    }) as Promise<KafkaStream>;

  /** Handles one partition's part of a round; false when the handler left it uncommitted. */
  async function handlePartition(partition: number, { messages, unreadable }: PartitionRound) {
    const range = ranges.get(partition);
    if (range === undefined || done.has(partition)) return true;
    const inRange = messages.filter(
      ({ offset }) => offset >= (positions.get(partition) ?? range.start) && offset < range.end,
    );
    const lastInRange = inRange.at(-1);
    if (lastInRange !== undefined) {
      let committed = false;
      const control: BatchControl = {
        heartbeat: () => Promise.resolve(), // the client heartbeats on its own timer
        isActive: () => !stopped,
        // Messages past the end (letters appended during a redrive, a replay ending mid-fetch)
        // were not handled: the commit stops at the end, where the next run starts.
        commit: async () => {
          const offset = lastInRange.offset + 1n;
          await consumer.commit({
            offsets: [{ topic, partition, offset, leaderEpoch: lastInRange.leaderEpoch }],
          });
          positions.set(partition, offset);
          committed = true;
        },
      };
      await options.handle(partition, inRange.map(toInbound), control);
      // Not committed (stopping): this partition is not done, and the stream starts over.
      if (!committed) return false;
    }
    const last = messages.at(-1);
    if (last !== undefined && last.offset + 1n >= range.end) done.add(partition);
    else if (unreadable !== undefined) {
      // What came before it is handled; the range can never be finished past it.
      if (BigInt(unreadable.offset) < range.end)
        throw new UnreadableBatchError(topic, partition, unreadable);
      done.add(partition);
    }
    return true;
  }

  /** Partitions whose range ends in records no message stands for (transaction markers, aborted
   * records): done once the stream's next fetch is past the end and nothing of it is unread. */
  function markPassedRanges(stream: KafkaStream) {
    if (stream.readableLength > 0) return;
    for (const [partition, range] of ranges) {
      const next = stream.offsetsToFetch.get(`${topic}:${partition}`);
      if (next !== undefined && next >= range.end && next > (positions.get(partition) ?? 0n))
        done.add(partition);
    }
  }

  async function readAll(): Promise<void> {
    let stream = await open();
    try {
      while (!stopped && done.size < ranges.size) {
        const rounds = streamRounds(stream, consumer.readState(stream));
        wakeReader = () => rounds.wake();
        // A fetch that brings only markers pushes nothing: its end may still finish a range.
        stream.on('fetch', wakeReader);
        let clean = true;
        while (clean && !stopped && !rounds.ended() && done.size < ranges.size) {
          let round;
          try {
            round = await rounds.next();
          } catch {
            // The broker went away under the fetch: read again from the positions reached.
            await sleep(reopenDelayMs);
            break;
          }
          for (const [partition, read] of [...round].sort(([a], [b]) => a - b)) {
            clean = await handlePartition(partition, read);
            if (!clean) break;
          }
          if (clean) markPassedRanges(stream);
        }
        if (stopped || done.size === ranges.size) return;
        const next = await open();
        await stream.close();
        stream = next;
      }
    } finally {
      await stream.close().catch(() => undefined);
    }
  }

  const finished = ranges.size === 0 ? Promise.resolve() : readAll();
  let closed: Promise<void> | undefined;
  const stop = () => {
    stopped = true;
    wakeReader();
    // After the read in hand: a handled batch is committed before the group is left.
    closed ??= finished.catch(() => undefined).then(() => consumer.close());
    return closed;
  };
  void finished.then(stop, () => undefined);
  return Promise.resolve({ finished, stop });
}
