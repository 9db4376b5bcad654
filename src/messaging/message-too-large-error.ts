// What a producer's send rejects with when the broker refuses a record batch as larger than the
// topic allows (Kafka's MESSAGE_TOO_LARGE or RECORD_LIST_TOO_LARGE), whichever client sent it: the
// dead-letter sink then sends a reference letter instead (pipeline/dead-letter-sink.ts).
export class MessageTooLargeError extends Error {
  override name = 'MessageTooLargeError';
  readonly topic: string;

  constructor(topic: string, options?: ErrorOptions) {
    super(`the broker refused a record batch as too large for ${topic}`, options);
    this.topic = topic;
  }
}

/** Kafka's names of the refusal, as kafkajs (`type`) and @platformatic/kafka (`apiId`) give them. */
export const tooLargeErrorNames: ReadonlySet<string> = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
]);
