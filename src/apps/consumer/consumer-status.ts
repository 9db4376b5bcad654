// What the consumer is doing right now, for /readyz: in the group, partitions held, progress, and
// partitions stopped at a record batch the client cannot read (until the process restarts).
export const stuckAfterMs = 60_000; // behind and no batch stored for a minute: something is wrong

interface StoppedPartition {
  readonly partition: number;
  /** The first offset of the record batch that cannot be read. */
  readonly offset: string;
}

interface ConsumerStatus {
  readonly inGroup: boolean;
  readonly partitions: readonly number[];
  /** Messages behind, summed over this process's partitions, as of each one's last batch. */
  readonly lag: number;
  readonly msSinceProgress: number;
  readonly stuck: boolean;
  /** Partitions the client stopped reading (KAFKA_BATCH_UNREADABLE), by partition. */
  readonly stoppedPartitions: readonly StoppedPartition[];
}

export interface ConsumerStatusTracker {
  joined(partitions: readonly number[]): void;
  left(): void;
  batchStored(partition: number, lag: number): void;
  /** Records a stop; false when the partition was already stopped at that offset. */
  partitionStopped(partition: number, offset: string): boolean;
  snapshot(now?: number): ConsumerStatus;
}

export function createConsumerStatusTracker(now = Date.now): ConsumerStatusTracker {
  let inGroup = false;
  let partitions: readonly number[] = [];
  let lastProgressAt = now();
  const lagByPartition = new Map<number, number>();
  // Not cleared on a rebalance: the adapter keeps the partition paused until the member restarts.
  const stopped = new Map<number, string>();
  return {
    joined(assigned) {
      inGroup = true;
      partitions = [...assigned].sort((a, b) => a - b);
      lastProgressAt = now();
      for (const partition of lagByPartition.keys()) {
        if (!partitions.includes(partition)) lagByPartition.delete(partition);
      }
    },
    left() {
      inGroup = false;
    },
    batchStored(partition, lag) {
      lagByPartition.set(partition, lag);
      lastProgressAt = now();
    },
    partitionStopped(partition, offset) {
      if (stopped.get(partition) === offset) return false;
      stopped.set(partition, offset);
      return true;
    },
    snapshot(at = now()) {
      const lag = [...lagByPartition.values()].reduce((sum, value) => sum + value, 0);
      const msSinceProgress = at - lastProgressAt;
      return {
        inGroup,
        partitions,
        lag,
        msSinceProgress,
        stuck: lag > 0 && msSinceProgress > stuckAfterMs,
        stoppedPartitions: [...stopped]
          .sort(([a], [b]) => a - b)
          .map(([partition, offset]) => ({ partition, offset })),
      };
    },
  };
}
