// The messaging port (src/messaging/port.ts) in memory, for unit tests of the policies above it:
// the consumer's batch handler and the range commands'. Topics are arrays of messages; a group
// consumer (in-memory-group.ts) is driven by the test one batch at a time (deliver, rebalance,
// stop), and any call can be made to fail on demand. That the real adapters keep the port's promises is proven against a
// broker in test/integration/messaging/; this keeps the same promises the policies rely on: a batch
// starts at the group's committed offset, a commit counts only in the batch's own generation, a
// partition goes no further after an unreadable batch.
import type { FailureKindOf } from '../../src/domain/errors/classify-error.ts';
import type { InboundMessage, OutboundMessage } from '../../src/messaging/message.ts';
import type {
  TopicSpec,
  Admin,
  Delivery,
  GroupConsumer,
  GroupConsumerOptions,
  Messaging,
  Producer,
  RangeReader,
  RangeReadOptions,
  UnreadableBatch,
} from '../../src/messaging/port.ts';
import { UnreadableBatchError } from '../../src/messaging/unreadable-batch-error.ts';
import { InMemoryGroup } from './in-memory-group.ts';

/** The calls a test can make fail, each the next time it is made. */
export type Operation =
  'connectAdmin' | 'partitionOffsets' | 'connect' | 'send' | 'consume' | 'heartbeat' | 'commit';

/** A connection lost under a call: a failure that passes. */
export const connectionLost = (): Error =>
  Object.assign(new Error('connection reset by peer'), { code: 'ECONNRESET' });

interface InMemoryTopic {
  readonly partitions: InboundMessage[][];
  readonly maxMessageBytes: number;
  /** Per partition, the offset of a record batch no client could read. */
  readonly unreadable: Map<number, UnreadableBatch>;
}

/** The in-memory edge's own errors, as an adapter reads its library's (failure-kind.ts). */
const inMemoryFailureKind: FailureKindOf = (error) => {
  if ((error as { type?: unknown }).type === 'REBALANCE_IN_PROGRESS') return 'group-churn';
  if ((error as { code?: unknown }).code === 'ECONNRESET') return 'transient';
  return undefined;
};

export class InMemoryMessaging implements Messaging {
  readonly failureKind = inMemoryFailureKind;
  readonly topics = new Map<string, InMemoryTopic>();
  /** Next offset to read, per `group/topic/partition`: what commits left. */
  readonly committed = new Map<string, bigint>();
  /** Every commit, as `partition:next offset`, in order (group consumers and range readers). */
  readonly commits: string[] = [];
  readonly groups: InMemoryGroup[] = [];
  readonly #failures: { operation: Operation; error: unknown }[] = [];

  /** A topic with empty partitions (the broker's default max.message.bytes unless given). */
  addTopic(name: string, partitions: number, maxMessageBytes = 1_048_588): this {
    const empty = Array.from({ length: partitions }, (): InboundMessage[] => []);
    this.topics.set(name, { partitions: empty, maxMessageBytes, unreadable: new Map() });
    return this;
  }

  /** Appends messages with these values; returns the offsets they got. */
  append(topic: string, partition: number, values: readonly string[]): string[] {
    const log = this.#partition(topic, partition);
    return values.map((value) => {
      const offset = String(log.length);
      log.push({ key: null, value: Buffer.from(value), offset });
      return offset;
    });
  }

  /** The record batch starting at the partition's next offset cannot be read. */
  appendUnreadable(topic: string, partition: number, reason = 'a codec the client lacks'): void {
    const offset = String(this.#partition(topic, partition).length);
    this.#topic(topic).unreadable.set(partition, { offset, reason });
  }

  /** The next call of `operation` rejects with `error` (queued: fail twice by calling twice). */
  failNext(operation: Operation, error: unknown): void {
    this.#failures.push({ operation, error });
  }

  /** Throws the failure queued for this operation, if any. */
  failIfAsked(operation: Operation): void {
    const at = this.#failures.findIndex((failure) => failure.operation === operation);
    if (at === -1) return;
    const [failure] = this.#failures.splice(at, 1);
    throw failure?.error;
  }

  messagesOf(topic: string, partition = 0): readonly InboundMessage[] {
    return this.#partition(topic, partition);
  }

  committedOffset(group: string, topic: string, partition: number): bigint | undefined {
    return this.committed.get(`${group}/${topic}/${partition}`);
  }

  commit(group: string, topic: string, partition: number, next: bigint): void {
    this.failIfAsked('commit');
    this.committed.set(`${group}/${topic}/${partition}`, next);
    this.commits.push(`${partition}:${next}`);
  }

  unreadableOf(topic: string, partition: number): UnreadableBatch | undefined {
    return this.#topic(topic).unreadable.get(partition);
  }

  createProducer(): Producer {
    return new InMemoryProducer(this);
  }

  async consume(options: GroupConsumerOptions): Promise<GroupConsumer> {
    await Promise.resolve();
    this.failIfAsked('consume');
    this.#topic(options.topic);
    const group = new InMemoryGroup(this, options);
    this.groups.push(group);
    return group;
  }

  async readRanges(options: RangeReadOptions): Promise<RangeReader> {
    await Promise.resolve();
    return new InMemoryRangeReader(this, options);
  }

  async connectAdmin(): Promise<Admin> {
    await Promise.resolve();
    this.failIfAsked('connectAdmin');
    return new InMemoryAdmin(this);
  }

  #topic(name: string): InMemoryTopic {
    const topic = this.topics.get(name);
    if (topic === undefined) throw new Error(`no topic ${name} in memory`);
    return topic;
  }

  #partition(topic: string, partition: number): InboundMessage[] {
    const log = this.#topic(topic).partitions[partition];
    if (log === undefined) throw new Error(`topic ${topic} has no partition ${partition}`);
    return log;
  }
}

class InMemoryProducer implements Producer {
  readonly #messaging: InMemoryMessaging;
  connected = false;

  constructor(messaging: InMemoryMessaging) {
    this.#messaging = messaging;
  }

  async connect(): Promise<void> {
    await Promise.resolve();
    this.#messaging.failIfAsked('connect');
    this.connected = true;
  }

  async send(topic: string, messages: readonly OutboundMessage[]): Promise<Delivery[]> {
    await Promise.resolve();
    if (!this.connected) throw new Error('send on a producer that is not connected');
    this.#messaging.failIfAsked('send');
    const log = this.#messaging.messagesOf(topic) as InboundMessage[];
    return messages.map((message) => {
      const offset = String(log.length);
      const bytes = (text: Buffer | string | null) =>
        typeof text === 'string' ? Buffer.from(text) : text;
      const headers = message.headers ?? {};
      log.push({ key: bytes(message.key), value: bytes(message.value), headers, offset });
      return { partition: 0, offset };
    });
  }

  async disconnect(): Promise<void> {
    await Promise.resolve();
    this.connected = false;
  }
}

/** Reads each range in batches of `batchSize` messages, one partition after another. */
class InMemoryRangeReader implements RangeReader {
  static batchSize = 2;
  readonly finished: Promise<void>;
  #stopping = false;

  constructor(messaging: InMemoryMessaging, options: RangeReadOptions) {
    this.finished = this.#readAll(messaging, options);
    // A rejection the test has not awaited yet is not unhandled.
    this.finished.catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.finished.catch(() => undefined);
  }

  async #readAll(messaging: InMemoryMessaging, options: RangeReadOptions): Promise<void> {
    const { topic, groupId } = options;
    for (const range of options.ranges) {
      const log = messaging.messagesOf(topic, range.partition);
      const unreadable = messaging.unreadableOf(topic, range.partition);
      const end = unreadable === undefined ? range.end : BigInt(unreadable.offset);
      for (let unsettled = 0; ; unsettled += 1) {
        await Promise.resolve();
        if (this.#stopping) return;
        // A handler that never commits would be handed its batch for ever.
        if (unsettled > 100) throw new Error('a batch was handled 100 times without a commit');
        const from = messaging.committedOffset(groupId, topic, range.partition) ?? range.start;
        const to = [from + BigInt(InMemoryRangeReader.batchSize), end, range.end].reduce((a, b) =>
          a < b ? a : b,
        );
        if (from >= to) break;
        const messages = log.slice(Number(from), Number(to));
        await options.handle(range.partition, messages, {
          heartbeat: async () => {
            await Promise.resolve();
            messaging.failIfAsked('heartbeat');
          },
          isActive: () => !this.#stopping,
          commit: () => {
            messaging.commit(groupId, topic, range.partition, to);
            unsettled = -1;
            return Promise.resolve();
          },
        });
        // Not committed: the same messages are read again, as a later run would.
      }
      if (unreadable !== undefined && end < range.end)
        throw new UnreadableBatchError(topic, range.partition, unreadable);
    }
  }
}

class InMemoryAdmin implements Admin {
  readonly #messaging: InMemoryMessaging;

  constructor(messaging: InMemoryMessaging) {
    this.#messaging = messaging;
  }

  async partitionOffsets(topic: string) {
    await Promise.resolve();
    this.#messaging.failIfAsked('partitionOffsets');
    const found = this.#messaging.topics.get(topic);
    if (found === undefined) throw new Error(`This server does not host this topic: ${topic}`);
    return found.partitions.map((log, partition) => ({
      partition,
      low: 0n,
      high: BigInt(log.length),
    }));
  }

  /** Creates the topics not there yet (with their max.message.bytes, if given); returns their names. */
  async createTopics(topics: readonly TopicSpec[]) {
    await Promise.resolve();
    const created = topics.filter(({ topic }) => !this.#messaging.topics.has(topic));
    for (const { topic, numPartitions, configEntries = [] } of created) {
      const limit = configEntries.find(({ name }) => name === 'max.message.bytes')?.value;
      this.#messaging.addTopic(
        topic,
        numPartitions,
        limit === undefined ? undefined : Number(limit),
      );
    }
    return created.map(({ topic }) => topic);
  }

  async deleteTopics(topics: readonly string[]) {
    await Promise.resolve();
    for (const topic of topics) this.#messaging.topics.delete(topic);
  }

  offsetsAtTime(): Promise<never> {
    return Promise.reject(new Error('the in-memory messaging keeps no timestamps'));
  }

  async topicMaxMessageBytes(topic: string) {
    await Promise.resolve();
    return this.#messaging.topics.get(topic)?.maxMessageBytes;
  }

  async committedOffsets(groupId: string, topic: string) {
    await Promise.resolve();
    const offsets = new Map<number, bigint>();
    const partitions = this.#messaging.topics.get(topic)?.partitions.length ?? 0;
    for (let partition = 0; partition < partitions; partition += 1) {
      const offset = this.#messaging.committedOffset(groupId, topic, partition);
      if (offset !== undefined) offsets.set(partition, offset);
    }
    return offsets;
  }

  deleteGroup(): Promise<void> {
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    return Promise.resolve();
  }
}
