// Failures of Kafka that a person can fix, as the project's errors: no broker answers, a topic
// that does not exist. Each adapter recognises them in its own library's errors (explain-failure.ts
// in its folder); the wrapper below applies that at every call the commands make, so whatever
// command meets one reports it in one line naming the brokers or topic from the configuration and
// what to run or set. Both codes are retryable: a consumer that meets one mid-run retries as before.
import { ServiceError } from '../domain/errors/error-codes.ts';
import type { Admin, Messaging, Producer, RangeReader } from './port.ts';

/** Where the brokers and topics came from: the messages name them as configured. */
export interface KafkaSettings {
  readonly kafkaBrokers: readonly string[];
  /** KAFKA_TOPIC and KAFKA_DLQ_TOPIC, when the caller has them: the message names the variable. */
  readonly topic?: string;
  readonly dlqTopic?: string;
}

/** What an adapter found in its library's error; undefined for anything else. */
export type KafkaFailure =
  | { readonly kind: 'unreachable'; readonly reason: string }
  | { readonly kind: 'topic-missing' }
  /** The brokers refused the SASL login; reason: the broker's or client's words. */
  | { readonly kind: 'sasl-failed'; readonly reason: string }
  /** The broker's certificate is not trusted (reason: Node's code for why). */
  | { readonly kind: 'tls-untrusted'; readonly reason: string }
  /** The broker ended the handshake: our certificate missing or not trusted. */
  | { readonly kind: 'tls-refused'; readonly reason: string };

export type RecogniseFailure = (error: unknown) => KafkaFailure | undefined;

function kafkaFailureError(
  failure: KafkaFailure,
  settings: KafkaSettings,
  topic: string | undefined,
  cause: unknown,
): ServiceError {
  const brokers = settings.kafkaBrokers.join(',');
  // Credentials and certificates: no retry can pass them, so these are not retryable and the
  // commands exit at once. The reason never holds a secret (the brokers' and Node's own words).
  if (failure.kind === 'sasl-failed') {
    return new ServiceError(
      'KAFKA_SASL_FAILED',
      `Kafka on ${brokers} refused the SASL login (${failure.reason}): check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD(_FILE) and KAFKA_SASL_MECHANISM`,
      { cause },
    );
  }
  if (failure.kind === 'tls-untrusted') {
    return new ServiceError(
      'KAFKA_TLS_UNTRUSTED',
      `the certificate of Kafka on ${brokers} is not trusted (${failure.reason}): set KAFKA_SSL_CA_FILE to the cluster's CA, and dial the name the certificate carries`,
      { cause },
    );
  }
  if (failure.kind === 'tls-refused') {
    return new ServiceError(
      'KAFKA_TLS_REFUSED',
      `Kafka on ${brokers} refused the TLS handshake (${failure.reason}): it wants a client certificate it trusts, set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE`,
      { cause },
    );
  }
  if (failure.kind === 'unreachable') {
    return new ServiceError(
      'KAFKA_UNREACHABLE',
      `no Kafka broker answers on ${brokers} (${failure.reason}): run \`npm run stack:up\` (starts the local one) or set KAFKA_BROKERS`,
      { cause },
    );
  }
  const variable =
    topic !== undefined && topic === settings.dlqTopic ? 'KAFKA_DLQ_TOPIC' : 'KAFKA_TOPIC';
  return new ServiceError(
    'KAFKA_TOPIC_MISSING',
    `topic ${topic ?? settings.topic ?? '(unnamed)'} does not exist on ${brokers}: run \`npm run stack:up\` (creates it) or set ${variable}`,
    { cause },
  );
}

/** The same messaging, its failures that have a fix rethrown as the project's errors. */
export function explainKafkaFailures(
  messaging: Messaging,
  recognise: RecogniseFailure,
  settings: KafkaSettings,
): Messaging {
  const explained = (error: unknown, topic?: string): unknown => {
    const failure = recognise(error);
    return failure === undefined ? error : kafkaFailureError(failure, settings, topic, error);
  };
  const guard = async <T>(work: () => Promise<T>, topic?: string): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw explained(error, topic);
    }
  };
  const producer = (inner: Producer): Producer => ({
    connect: () => guard(() => inner.connect()),
    send: (topic, messages) => guard(() => inner.send(topic, messages), topic),
    disconnect: () => inner.disconnect(),
  });
  const admin = (inner: Admin): Admin => ({
    createTopics: (topics) => guard(() => inner.createTopics(topics)),
    deleteTopics: (topics) => inner.deleteTopics(topics),
    partitionOffsets: (topic) => guard(() => inner.partitionOffsets(topic), topic),
    offsetsAtTime: (topic, epochMs) => guard(() => inner.offsetsAtTime(topic, epochMs), topic),
    committedOffsets: (groupId, topic) =>
      guard(() => inner.committedOffsets(groupId, topic), topic),
    topicMaxMessageBytes: (topic) => guard(() => inner.topicMaxMessageBytes(topic), topic),
    deleteGroup: (groupId) => inner.deleteGroup(groupId),
    disconnect: () => inner.disconnect(),
  });
  return {
    createProducer: () => producer(messaging.createProducer()),
    consume: (options) => guard(() => messaging.consume(options), options.topic),
    readRanges: (options) =>
      guard(async (): Promise<RangeReader> => {
        const reader = await messaging.readRanges(options);
        return {
          finished: guard(() => reader.finished, options.topic),
          stop: () => reader.stop(),
        };
      }, options.topic),
    connectAdmin: () => guard(async () => admin(await messaging.connectAdmin())),
    failureKind: messaging.failureKind,
  };
}
