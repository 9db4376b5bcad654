// Reads a @platformatic/kafka message stream in rounds. The client hands over one message at a
// time; a round takes everything buffered, grouped per partition in offset order, so the pipeline
// gets batches (one transaction each) as kafkajs hands them over per fetch.
import type { Message, MessagesStream } from '@platformatic/kafka';
import type { HeaderValue, InboundMessage } from '../../messaging/message.ts';

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

export interface StreamRounds {
  /** Everything buffered, per partition; empty when woken with nothing to read. Throws the
   * stream's error. */
  next(): Promise<Map<number, KafkaMessage[]>>;
  /** Ends a wait in next() (the stream is being replaced, or the reader stops). */
  wake(): void;
  /** The stream failed or closed: no more rounds from it. */
  ended(): boolean;
}

export function streamRounds(stream: KafkaStream): StreamRounds {
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
  const ended = () => failure !== undefined || stream.destroyed || stream.readableEnded;

  return {
    wake,
    ended,
    async next() {
      throwFailure();
      if (stream.readableLength === 0 && !ended()) {
        // Woken by data, an error, the stream closing, or the caller (then the round is empty).
        await new Promise<void>((resolve) => (waiter = resolve));
        throwFailure();
      }
      const round = new Map<number, KafkaMessage[]>();
      let message: KafkaMessage | null;
      while ((message = stream.read() as KafkaMessage | null) !== null) {
        const messages = round.get(message.partition);
        if (messages === undefined) round.set(message.partition, [message]);
        else messages.push(message);
      }
      return round;
    },
  };
}
