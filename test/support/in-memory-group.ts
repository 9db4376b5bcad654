// A consumer group member of the port in memory (in-memory-messaging.ts), driven by the test one
// batch at a time: deliver() hands over a partition's messages from the group's committed offset,
// rebalance() starts a new generation in which the batches of the old one can no longer commit.
import type { InboundMessage } from '../../src/messaging/message.ts';
import type {
  BatchControl,
  GroupConsumer,
  GroupConsumerOptions,
  PartitionBatch,
  UnreadableBatch,
} from '../../src/messaging/port.ts';

/** The group moved on under a batch, as the clients report it (kafkajs's `type`). */
export const groupChurnError = (): Error =>
  Object.assign(new Error('the consumer group is rebalancing'), { type: 'REBALANCE_IN_PROGRESS' });

/** What a member reads and writes of the in-memory broker (InMemoryMessaging implements it). */
export interface InMemoryBroker {
  readonly topics: ReadonlyMap<string, { readonly partitions: readonly unknown[] }>;
  committedOffset(groupId: string, topic: string, partition: number): bigint | undefined;
  messagesOf(topic: string, partition: number): readonly InboundMessage[];
  unreadableOf(topic: string, partition: number): UnreadableBatch | undefined;
  failIfAsked(operation: 'heartbeat'): void;
  commit(groupId: string, topic: string, partition: number, next: bigint): void;
}
/** What became of one delivered batch. */
export interface Delivered {
  readonly handed: readonly InboundMessage[];
  /** The offset committed for the partition after the handler returned (undefined: none yet). */
  readonly committed: bigint | undefined;
  /** What the handler threw, if it did. */
  readonly thrown?: unknown;
}

/**
 * A member that owns the partitions it is given. The test hands it batches with deliver(); a
 * rebalance starts a new generation, in which the batches of the old one can no longer commit.
 */
export class InMemoryGroup implements GroupConsumer {
  readonly #messaging: InMemoryBroker;
  readonly options: GroupConsumerOptions;
  generation = 0;
  assigned: readonly number[] = [];
  readonly paused = new Set<number>();
  stopped = false;
  /** Errors the member crashed on: `restarting` as the port reports it to onCrash. */
  readonly crashes: { error: unknown; restarting: boolean }[] = [];

  constructor(messaging: InMemoryBroker, options: GroupConsumerOptions) {
    this.#messaging = messaging;
    this.options = options;
    const partitions = messaging.topics.get(options.topic)?.partitions.length ?? 0;
    this.rebalance(Array.from({ length: partitions }, (_, partition) => partition));
  }

  /** A new generation owning `partitions`: batches in flight lose their right to commit. */
  rebalance(partitions: readonly number[] = this.assigned): void {
    if (this.generation > 0) this.options.onLeft();
    this.generation += 1;
    this.assigned = partitions;
    this.options.onJoined(partitions);
  }

  /**
   * Hands the handler the partition's messages from the group's committed offset, at most `max`,
   * and an unreadable batch right after them if the topic has one there. A throw the client would
   * restart on is swallowed (the batch is simply read again); any other crashes the member.
   */
  async deliver(partition: number, max = Number.POSITIVE_INFINITY): Promise<Delivered> {
    if (this.stopped || this.paused.has(partition) || !this.assigned.includes(partition))
      throw new Error(`partition ${partition} is not being consumed by this member`);
    const batch = this.#batch(partition, max);
    let thrown: { error: unknown } | undefined;
    try {
      await this.options.handle(batch, this.#control(partition, batch));
    } catch (error) {
      thrown = { error };
      if (!this.options.restartOnFailure(error)) this.#crash(error);
    }
    // The adapter pauses the partition once its handler has seen the unreadable batch.
    if (batch.unreadable !== undefined && thrown === undefined) this.paused.add(partition);
    const committed = this.#messaging.committedOffset(this.options.groupId, batch.topic, partition);
    return {
      handed: batch.messages,
      committed,
      ...(thrown === undefined ? {} : { thrown: thrown.error }),
    };
  }

  async stop(): Promise<void> {
    await Promise.resolve();
    this.stopped = true;
    this.options.onLeft();
  }

  #batch(partition: number, max: number): PartitionBatch {
    const { topic, groupId } = this.options;
    const log = this.#messaging.messagesOf(topic, partition);
    const from = Number(this.#messaging.committedOffset(groupId, topic, partition) ?? 0n);
    const unreadable = this.#messaging.unreadableOf(topic, partition);
    const readableEnd = unreadable === undefined ? log.length : Number(unreadable.offset);
    const messages = log.slice(from, Math.min(readableEnd, from + max));
    const next = from + messages.length;
    return {
      topic,
      partition,
      messages,
      ...(unreadable !== undefined && next === readableEnd ? { unreadable } : {}),
      lag: () => log.length - next,
    };
  }

  #control(partition: number, batch: PartitionBatch): BatchControl {
    const generation = this.generation;
    const current = () => this.generation === generation && this.assigned.includes(partition);
    const last = batch.messages.at(-1);
    return {
      heartbeat: async () => {
        await Promise.resolve();
        this.#messaging.failIfAsked('heartbeat');
        if (!current()) throw groupChurnError();
      },
      isActive: () => !this.stopped && current(),
      commit: async (through) => {
        await Promise.resolve();
        if (!current()) throw groupChurnError();
        // Through a message of the batch (its first part settled), or the whole batch.
        const settled =
          through === undefined ? last : batch.messages.find(({ offset }) => offset === through);
        if (through !== undefined && settled === undefined)
          throw new Error(`offset ${through} is not one of the batch's messages`);
        if (settled === undefined) return;
        const next = BigInt(settled.offset) + 1n;
        this.#messaging.commit(this.options.groupId, batch.topic, partition, next);
      },
    };
  }

  #crash(error: unknown): void {
    this.stopped = true;
    this.crashes.push({ error, restarting: false });
    this.options.onCrash(error, false);
  }
}
