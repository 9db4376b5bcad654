// Lag and the stuck rule of each partition a consumer is assigned. Lag is the broker's high
// watermark minus the partition's position (the next offset the group has not settled: its
// committed offset, or the first offset of the batch in hand), whatever was stored: a partition
// whose first batch waits (a dead letter that cannot be sent) is as far behind as it really is.
// A partition is stuck when it has been behind, without its position moving, for `stuckAfterMs`.
// Its clock belongs to the assignment: a rejoin that keeps the partition keeps its clock, so a
// group rebalancing every 20 s cannot hide a partition that never moves.

export interface OffsetsSeen {
  /** The offset the broker gives the next message (its high watermark). */
  readonly highWatermark?: bigint;
  /** The next offset the group has not settled. */
  readonly position?: bigint;
}

export interface PartitionLag {
  readonly partition: number;
  /** Messages behind; undefined until both offsets have been seen once. */
  readonly lag: number | undefined;
  /** Epoch ms since which it has been behind without progress; undefined when not behind. */
  readonly behindSince: number | undefined;
  readonly stuck: boolean;
}

const larger = (known: bigint | undefined, seen: bigint | undefined) =>
  seen !== undefined && (known === undefined || seen > known) ? seen : known;

class PartitionOffsets {
  highWatermark: bigint | undefined;
  position: bigint | undefined;
  behindSince: number | undefined;

  lag(): number | undefined {
    if (this.highWatermark === undefined || this.position === undefined) return undefined;
    const behind = this.highWatermark - this.position;
    return behind > 0n ? Number(behind) : 0;
  }

  /** Offsets only grow here: readings of different ages (a batch's, the broker's) never undo one. */
  seen(offsets: OffsetsSeen, at: number): void {
    const progressed =
      this.position !== undefined &&
      offsets.position !== undefined &&
      offsets.position > this.position;
    this.highWatermark = larger(this.highWatermark, offsets.highWatermark);
    this.position = larger(this.position, offsets.position);
    const lag = this.lag();
    if (lag === undefined || lag === 0) this.behindSince = undefined;
    else if (progressed || this.behindSince === undefined) this.behindSince = at;
  }
}

export class PartitionLagTracker {
  readonly #stuckAfterMs: number;
  readonly #partitions = new Map<number, PartitionOffsets>();

  constructor(stuckAfterMs: number) {
    this.#stuckAfterMs = stuckAfterMs;
  }

  /** The partitions of a join: those kept keep their offsets and clock; those lost are dropped. */
  assigned(partitions: readonly number[]): void {
    for (const partition of this.#partitions.keys())
      if (!partitions.includes(partition)) this.#partitions.delete(partition);
    for (const partition of partitions)
      if (!this.#partitions.has(partition)) this.#partitions.set(partition, new PartitionOffsets());
  }

  /** Ignored for a partition not assigned (a reading that arrives after a revocation). */
  seen(partition: number, offsets: OffsetsSeen, at: number): void {
    this.#partitions.get(partition)?.seen(offsets, at);
  }

  partitions(at: number): PartitionLag[] {
    return [...this.#partitions]
      .sort(([a], [b]) => a - b)
      .map(([partition, offsets]) => {
        const { behindSince } = offsets;
        return {
          partition,
          lag: offsets.lag(),
          behindSince,
          stuck: behindSince !== undefined && at - behindSince >= this.#stuckAfterMs,
        };
      });
  }
}
