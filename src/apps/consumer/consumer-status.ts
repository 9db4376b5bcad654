// What the consumer is doing right now, for /readyz and /metrics: in the group, partitions held,
// each one's lag and whether it is stuck (partition-lag.ts), and partitions stopped at a record
// batch the client cannot read (until the process restarts).
import { PartitionLagTracker, type OffsetsSeen } from './partition-lag.ts';

export const defaultStuckAfterMs = 60_000; // CONSUMER_STUCK_AFTER_MS's default

export interface StoppedPartition {
  readonly partition: number;
  /** The first offset of the record batch that cannot be read. */
  readonly offset: string;
}

export interface AssignedPartition {
  readonly partition: number;
  /** Messages behind; absent until the broker's offsets have been read once. */
  readonly lag?: number;
}

export interface StuckPartition {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
  /** When it fell behind, or last moved while behind (ISO time). */
  readonly since: string;
}

export interface ConsumerStatus {
  readonly inGroup: boolean;
  readonly partitions: readonly number[];
  /** Messages behind, summed over this process's partitions. */
  readonly lag: number;
  readonly lagByPartition: readonly AssignedPartition[];
  /** Whether any partition is stuck: behind without progress for CONSUMER_STUCK_AFTER_MS. */
  readonly stuck: boolean;
  readonly stuckPartitions: readonly StuckPartition[];
  /** Partitions the client stopped reading (KAFKA_BATCH_UNREADABLE), by partition. */
  readonly stoppedPartitions: readonly StoppedPartition[];
}

export interface ConsumerStatusTracker {
  joined(partitions: readonly number[]): void;
  left(): void;
  /** Offsets read for an assigned partition (from a batch, or from the broker). */
  offsetsSeen(partition: number, offsets: OffsetsSeen): void;
  /** The client read records from `from` to `to` that hold no message (transaction markers). */
  recordsWithoutMessages(partition: number, from: bigint, to: bigint): void;
  /** Records a stop; false when the partition was already stopped at that offset. */
  partitionStopped(partition: number, offset: string): boolean;
  snapshot(now?: number): ConsumerStatus;
}

export interface StatusOptions {
  readonly topic?: string;
  readonly stuckAfterMs?: number;
  readonly now?: () => number;
}

export function createConsumerStatusTracker(options: StatusOptions = {}): ConsumerStatusTracker {
  const { topic = '', stuckAfterMs = defaultStuckAfterMs, now = Date.now } = options;
  let inGroup = false;
  let partitions: readonly number[] = [];
  // Not cleared on leaving: a rejoin that keeps a partition keeps its clock.
  const lag = new PartitionLagTracker(stuckAfterMs);
  // Not cleared on a rebalance: the adapter keeps the partition paused until the member restarts.
  const stopped = new Map<number, string>();
  return {
    joined(assigned) {
      inGroup = true;
      partitions = [...assigned].sort((a, b) => a - b);
      lag.assigned(partitions);
    },
    left() {
      inGroup = false;
    },
    offsetsSeen(partition, offsets) {
      lag.seen(partition, offsets, now());
    },
    recordsWithoutMessages(partition, from, to) {
      lag.withoutMessages(partition, from, to, now());
    },
    partitionStopped(partition, offset) {
      if (stopped.get(partition) === offset) return false;
      stopped.set(partition, offset);
      return true;
    },
    snapshot(at = now()) {
      const byPartition = lag.partitions(at);
      const stuckPartitions = byPartition.flatMap(
        ({ partition, lag: behind, behindSince, stuck }) =>
          stuck && behind !== undefined && behindSince !== undefined
            ? [{ topic, partition, lag: behind, since: new Date(behindSince).toISOString() }]
            : [],
      );
      return {
        inGroup,
        partitions,
        lag: byPartition.reduce((sum, { lag: behind }) => sum + (behind ?? 0), 0),
        lagByPartition: byPartition.map(({ partition, lag: behind }) =>
          behind === undefined ? { partition } : { partition, lag: behind },
        ),
        stuck: stuckPartitions.length > 0,
        stuckPartitions,
        stoppedPartitions: [...stopped]
          .sort(([a], [b]) => a - b)
          .map(([partition, offset]) => ({ partition, offset })),
      };
    },
  };
}
