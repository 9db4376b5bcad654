// What the consumer is doing right now, for /readyz: in the group, partitions held, progress.
export const stuckAfterMs = 60_000; // behind and no batch stored for a minute: something is wrong

export interface ConsumerStatus {
  readonly inGroup: boolean;
  readonly partitions: readonly number[];
  /** Messages behind, summed over this process's partitions, as of each one's last batch. */
  readonly lag: number;
  readonly msSinceProgress: number;
  readonly stuck: boolean;
}

export interface ConsumerStatusTracker {
  joined(partitions: readonly number[]): void;
  left(): void;
  batchStored(partition: number, lag: number): void;
  snapshot(now?: number): ConsumerStatus;
}

export function createConsumerStatusTracker(now = Date.now): ConsumerStatusTracker {
  let inGroup = false;
  let partitions: readonly number[] = [];
  let lastProgressAt = now();
  const lagByPartition = new Map<number, number>();
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
    snapshot(at = now()) {
      const lag = [...lagByPartition.values()].reduce((sum, value) => sum + value, 0);
      const msSinceProgress = at - lastProgressAt;
      return {
        inGroup,
        partitions,
        lag,
        msSinceProgress,
        stuck: lag > 0 && msSinceProgress > stuckAfterMs,
      };
    },
  };
}
