// Turns --from/--to positions into per-partition offset ranges, using the broker's index of
// offsets by time. Ends default to each partition's end when the replay starts, so it finishes.
import type { Admin, PartitionRange } from '../../messaging/port.ts';
import type { Position, ReplayOptions } from './replay-options.ts';

async function offsetsAt(
  admin: Admin,
  topic: string,
  position: Position | undefined,
  fallback: Map<number, bigint>,
) {
  if (position === undefined) return fallback;
  if (position.kind === 'offset') return new Map([[position.partition, position.offset]]);
  const entries = await admin.offsetsAtTime(topic, position.epochMs);
  // No message at or after that time: the partition's end.
  return new Map(
    entries.map(({ partition, offset }) => [partition, offset ?? fallback.get(partition) ?? 0n]),
  );
}

export async function resolveRanges(
  admin: Admin,
  topic: string,
  options: ReplayOptions,
): Promise<PartitionRange[]> {
  const partitions = await admin.partitionOffsets(topic);
  const ends = new Map(partitions.map(({ partition, high }) => [partition, high]));
  const lows = new Map(partitions.map(({ partition, low }) => [partition, low]));
  if (options.from.kind === 'offset' && !ends.has(options.from.partition)) {
    throw new Error(`${topic} has no partition ${options.from.partition}`);
  }
  const starts = await offsetsAt(admin, topic, options.from, lows);
  const stops = await offsetsAt(admin, topic, options.to, ends);
  return [...starts].map(([partition, start]) => {
    const end = ends.get(partition) ?? 0n;
    const stop = stops.get(partition) ?? end;
    const low = lows.get(partition) ?? 0n;
    return { partition, start: start < low ? low : start, end: stop < end ? stop : end };
  });
}
