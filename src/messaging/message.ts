// Kafka messages as the service sees them, whichever client reads or writes them. kafkajs's
// messages fit these shapes as they are.
export type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** A message read from a partition: what the pipeline decodes, and a dead letter keeps. */
export interface InboundMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, HeaderValue>>;
  readonly offset: string;
}

/** A message to send: an event the producer generates, a dead letter, a letter kept unchanged. */
export interface OutboundMessage {
  readonly key: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Readonly<Record<string, HeaderValue>>;
}
