// Reads a @platformatic/kafka message stream in rounds. The client hands over one message at a
// time; a round takes what is buffered, up to a bound in bytes and messages, grouped per partition
// in offset order, so the pipeline gets batches (one transaction each) as kafkajs hands them over
// per fetch, and a partition's unreadable batch after its last message.
import type { Message, MessagesStream } from '@platformatic/kafka';
import type { HeaderValue, InboundMessage } from '../../messaging/message.ts';
import type { UnreadableBatch } from '../../messaging/port.ts';
import type { StreamReadState } from './reading-consumer.ts';

export type KafkaStream = MessagesStream<Buffer, Buffer, Buffer, Buffer>;
export type KafkaMessage = Message<Buffer, Buffer, Buffer, Buffer>;

/** The port's message; a header name the record repeats becomes an array, as kafkajs gives it. */
export function toInbound(message: KafkaMessage): InboundMessage {
  const headers: Record<string, HeaderValue> = {};
  for (const [name, value] of message.headerEntries) {
    const key = name.toString();
    const seen = headers[key];
    if (seen === undefined) headers[key] = value;
    else headers[key] = [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return {
    // The client gives undefined for a null key or value.
    key: message.key ?? null,
    value: message.value ?? null,
    headers,
    offset: String(message.offset),
  };
}

/** One partition's part of a round: messages in offset order, then maybe the batch that ends it. */
export interface PartitionRound {
  readonly messages: KafkaMessage[];
  unreadable?: UnreadableBatch;
}

/**
 * What one round may hold: it stops once it has `maxBytes` of record bytes (keys, values, headers)
 * or `maxMessages` messages, so it holds at most that plus one message.
 */
export interface RoundLimits {
  readonly maxBytes: number;
  readonly maxMessages: number;
}

export const roundLimits: RoundLimits = { maxBytes: 2 * 1024 * 1024, maxMessages: 5_000 };

export interface StreamRounds {
  /** Buffered messages up to the limits, per partition; empty when woken with nothing to read.
   * Throws the stream's error. */
  next(): Promise<Map<number, PartitionRound>>;
  /** Ends a wait in next() (the stream is being replaced, or the reader stops). */
  wake(): void;
  /** The stream failed or closed: no more rounds from it. */
  ended(): boolean;
}

const messageBytes = (message: KafkaMessage): number => {
  let bytes = (message.key?.length ?? 0) + (message.value?.length ?? 0);
  for (const [name, value] of message.headerEntries) bytes += name.length + value.length;
  return bytes;
};

/**
 * The stream must have a high-water mark of one message: it then fetches again only once its
 * buffer is empty, so it holds one fetch response (and fetches the next while the last round of it
 * is handled), and a partition's unreadable batch, noted with the fetch that found it, follows every
 * message of that partition the stream was given.
 */
export function streamRounds(
  stream: KafkaStream,
  readState: StreamReadState,
  limits: RoundLimits = roundLimits,
): StreamRounds {
  let failure: { error: unknown } | undefined;
  const throwFailure = () => {
    if (failure !== undefined) throw failure.error;
  };
  let waiter: (() => void) | undefined;
  const wake = () => {
    const resolve = waiter;
    waiter = undefined;
    resolve?.();
  };
  // A 'readable' listener is also what makes the client fetch (it stays idle without a reader).
  stream.on('readable', wake);
  stream.on('error', (error) => {
    failure ??= { error };
    wake();
  });
  stream.on('close', wake);
  readState.onNoted = wake;
  const ended = () => failure !== undefined || stream.destroyed || stream.readableEnded;

  // Per partition, the last offset read, and the unreadable batches already handed over.
  const readUpTo = new Map<number, bigint>();
  const handedOver = new Set<number>();
  const dueUnreadable = () =>
    [...readState.unreadable].filter(
      ([partition, noted]) =>
        !handedOver.has(partition) &&
        (noted.lastMessageBefore === undefined ||
          (readUpTo.get(partition) ?? -1n) >= noted.lastMessageBefore),
    );

  return {
    wake,
    ended,
    async next() {
      throwFailure();
      if (stream.readableLength === 0 && !ended() && dueUnreadable().length === 0) {
        // Woken by data, a noted batch, an error, the stream closing, or the caller (then the
        // round is empty).
        await new Promise<void>((resolve) => (waiter = resolve));
        throwFailure();
      }
      const round = new Map<number, PartitionRound>();
      const partitionRound = (partition: number) => {
        let entry = round.get(partition);
        if (entry === undefined) round.set(partition, (entry = { messages: [] }));
        return entry;
      };
      let bytes = 0;
      let count = 0;
      let message: KafkaMessage | null;
      while (
        bytes < limits.maxBytes &&
        count < limits.maxMessages &&
        (message = stream.read() as KafkaMessage | null) !== null
      ) {
        partitionRound(message.partition).messages.push(message);
        readUpTo.set(message.partition, message.offset);
        bytes += messageBytes(message);
        count++;
      }
      for (const [partition, { offset, reason }] of dueUnreadable()) {
        handedOver.add(partition);
        partitionRound(partition).unreadable = { offset, reason };
      }
      return round;
    },
  };
}
