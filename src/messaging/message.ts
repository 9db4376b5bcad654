// The parts of a Kafka message the handler needs; kafkajs messages fit it as they are.
export interface SourceMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;
  readonly offset: string;
}
