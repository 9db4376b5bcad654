// The port to Kafka: the few things the service's commands ask of a Kafka client. The pipeline and
// the applications speak only these interfaces; an adapter (src/adapters/) implements them with a
// client library, and is the only code that imports one.
import type { FailureKindOf } from '../domain/errors/classify-error.ts';
import type { InboundMessage, OutboundMessage } from './message.ts';

/** Sends dead letters; resolves once the broker has them (the caller then commits). */
export type DeadLetterSink = (letters: readonly OutboundMessage[]) => Promise<void>;

export interface Delivery {
  readonly partition: number;
  readonly offset: string;
}

export interface Producer {
  connect(): Promise<void>;
  /**
   * Acknowledged by all in-sync replicas; sent in requests the broker accepts whatever the total.
   * Rejects with MessageTooLargeError (message-too-large-error.ts) when the broker refuses a
   * record batch as larger than the topic's max.message.bytes.
   */
  send(topic: string, messages: readonly OutboundMessage[]): Promise<Delivery[]>;
  disconnect(): Promise<void>;
}

/** The batch in hand: keeping it alive during long work, and committing it once settled. */
export interface BatchControl {
  /** Tells the group this member is alive; throws on a rebalance, which ends the batch. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the batch is stale (its partition moved on). */
  isActive(): boolean;
  /**
   * Commits the offset past the last message handed over, or past `through` (the offset of one
   * of the batch's messages): the messages after it are handed over again, in a later batch, and
   * the batch's unreadable batch, if any, with them. Not called: the batch is read again.
   */
  commit(through?: string): Promise<void>;
}

/**
 * A record batch the client cannot read: a codec it lacks, corrupt bytes, or more decompressed
 * bytes than KAFKA_MAX_DECOMPRESSED_BATCH_BYTES allows. Its partition goes no further.
 */
export interface UnreadableBatch {
  /** The first offset of the batch that could not be read. */
  readonly offset: string;
  /** Readable and free of event data: the codec, the size, the decoder's error class. */
  readonly reason: string;
}

/**
 * Messages of one partition, in offset order. `messages` is empty only when `unreadable` is set.
 * When `unreadable` is set, the handler settles `messages` as usual (and may commit them); the
 * adapter then hands over nothing more of that partition (it pauses it) until the member restarts.
 */
export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly InboundMessage[];
  /** The partition's next record batch, right after `messages`, that the client cannot read. */
  readonly unreadable?: UnreadableBatch;
  /** Messages on the partition after this batch's last one. */
  lag(): number;
}

export interface GroupConsumerOptions {
  readonly topic: string;
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  readonly partitionsConsumedConcurrently: number;
  /** A group with no committed offset starts at the earliest message. */
  readonly fromBeginning: boolean;
  /** Whether the client restarts after this failure, or stops for good. */
  readonly restartOnFailure: (error: unknown) => boolean;
  readonly onJoined: (partitions: readonly number[]) => void;
  readonly onLeft: () => void;
  /** The member learned its group is rebalancing and rejoins (onJoined follows). */
  readonly onRejoining?: () => void;
  /**
   * The client read records from `from` up to `to` (exclusive) that hold no message to hand over
   * (transaction markers, aborted records): a position that reaches `from` is in fact at `to`.
   * Reported where the client does not commit past them itself (the platformatic adapter).
   */
  readonly onRecordsWithoutMessages?: (partition: number, from: bigint, to: bigint) => void;
  /** The client stopped on a failure; `restarting`: it comes back by itself. */
  readonly onCrash: (error: unknown, restarting: boolean) => void;
  /**
   * Reading failed on a passing failure (a broker leaving) and goes on from the committed offsets,
   * the member kept in its group (the platformatic adapter; kafkajs retries its fetches itself).
   */
  readonly onReadingResumed?: (error: unknown) => void;
  /** Throwing abandons the batch uncommitted (and on group churn, rejoins). */
  readonly handle: (batch: PartitionBatch, control: BatchControl) => Promise<void>;
}

export interface GroupConsumer {
  /** Finishes the batches in flight and leaves the group. */
  stop(): Promise<void>;
}

export interface PartitionRange {
  readonly partition: number;
  readonly start: bigint;
  /** Exclusive. */
  readonly end: bigint;
}

export interface RangeReadOptions {
  readonly topic: string;
  /** A group of its own: the live group's offsets are never touched. */
  readonly groupId: string;
  readonly ranges: readonly PartitionRange[];
  /** Gets only messages inside the range; control.commit() commits up to the last of them. */
  readonly handle: (
    partition: number,
    messages: readonly InboundMessage[],
    control: BatchControl,
  ) => Promise<void>;
}

export interface RangeReader {
  /**
   * Resolves when every range has been read and committed. Rejects with UnreadableBatchError
   * (messaging/unreadable-batch-error.ts) once the messages before an unreadable batch are handled.
   */
  readonly finished: Promise<void>;
  /** Stops early (Ctrl+C): what was handled stays handled; the rest is simply not read. */
  stop(): Promise<void>;
}

export interface PartitionOffsets {
  readonly partition: number;
  readonly low: bigint;
  /** The offset the next message will get. */
  readonly high: bigint;
}

/** A topic as `stack:up` makes it; the service's own two are in messaging/service-topics.ts. */
export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  readonly configEntries?: readonly { readonly name: string; readonly value: string }[];
}

export interface Admin {
  /**
   * Creates the topics that do not exist yet, with the broker's default replication, and resolves
   * once each new one has a leader for every partition; returns the names it created. Topics are
   * made by this step, never by a broker on first use: an auto-created topic gets the broker's
   * default partition count, and a typo in a topic name would go unnoticed.
   */
  createTopics(topics: readonly TopicSpec[]): Promise<string[]>;
  /** Deletes the topics; one that does not exist is no error. */
  deleteTopics(topics: readonly string[]): Promise<void>;
  partitionOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** Per partition, the first offset at or after the time; undefined: no message that late. */
  offsetsAtTime(
    topic: string,
    epochMs: number,
  ): Promise<{ readonly partition: number; readonly offset: bigint | undefined }[]>;
  /**
   * The topic's max.message.bytes (its own setting, else the broker's): the largest record batch
   * the broker takes for it. Undefined: no such topic.
   */
  topicMaxMessageBytes(topic: string): Promise<number | undefined>;
  /** The group's committed offsets, only for partitions where it has committed one. */
  committedOffsets(groupId: string, topic: string): Promise<Map<number, bigint>>;
  deleteGroup(groupId: string): Promise<void>;
  disconnect(): Promise<void>;
}

/** A Kafka client, as the commands use it. */
export interface Messaging {
  createProducer(): Producer;
  consume(options: GroupConsumerOptions): Promise<GroupConsumer>;
  readRanges(options: RangeReadOptions): Promise<RangeReader>;
  connectAdmin(): Promise<Admin>;
  /** What an error of this client means (the adapter reads its library's own flags and names);
   * undefined for an error that is not the client's. */
  readonly failureKind: FailureKindOf;
}
