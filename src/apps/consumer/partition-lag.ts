// Lag and the stuck rule of each partition a consumer is assigned. Lag is the broker's high
// watermark minus the partition's position (the next offset the group has not settled: its
// committed offset, or the first offset of the batch in hand), whatever was stored: a partition
// whose first batch waits (a dead letter that cannot be sent) is as far behind as it really is.
// Records the client reads that hold no message (transaction markers, aborted records) are passed
// by the position once it reaches them, as they are by a commit, so a partition that ends in a
// marker is not one behind while idle. A partition is stuck when it has been behind, without its
// position moving, for `stuckAfterMs`.
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

/** Ranges without messages kept per partition at most: one per fetch, passed within seconds. */
const maxRangesWithoutMessages = 64;

class PartitionOffsets {
  highWatermark: bigint | undefined;
  position: bigint | undefined;
  behindSince: number | undefined;
  /** Records holding no message (transaction markers), by first offset: where a position skips. */
  readonly #withoutMessages = new Map<bigint, bigint>();

  lag(): number | undefined {
    if (this.highWatermark === undefined || this.position === undefined) return undefined;
    const behind = this.highWatermark - this.position;
    return behind > 0n ? Number(behind) : 0;
  }

  /** Offsets only grow here: readings of different ages (a batch's, the broker's) never undo one. */
  seen(offsets: OffsetsSeen, at: number): void {
    const before = this.position;
    this.highWatermark = larger(this.highWatermark, offsets.highWatermark);
    this.position = this.#skipRecordsWithoutMessages(larger(this.position, offsets.position));
    const progressed =
      before !== undefined && this.position !== undefined && this.position > before;
    const lag = this.lag();
    if (lag === undefined || lag === 0) this.behindSince = undefined;
    else if (progressed || this.behindSince === undefined) this.behindSince = at;
  }

  withoutMessages(from: bigint, to: bigint, at: number): void {
    if (this.#withoutMessages.size >= maxRangesWithoutMessages) {
      const [oldest] = this.#withoutMessages.keys();
      if (oldest !== undefined) this.#withoutMessages.delete(oldest);
    }
    this.#withoutMessages.set(from, to);
    this.seen({}, at);
  }

  #skipRecordsWithoutMessages(position: bigint | undefined): bigint | undefined {
    if (position === undefined) return position;
    let at = position;
    for (let to = this.#withoutMessages.get(at); to !== undefined && to > at;) {
      at = to;
      to = this.#withoutMessages.get(at);
    }
    for (const from of this.#withoutMessages.keys())
      if (from < at) this.#withoutMessages.delete(from);
    return at;
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

  /** Records from `from` to `to` hold no message: a position at `from` is at `to`. */
  withoutMessages(partition: number, from: bigint, to: bigint, at: number): void {
    this.#partitions.get(partition)?.withoutMessages(from, to, at);
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
