// Every producer in the service is made the same way, and every send waits for all in-sync
// replicas: a dead letter must be on the broker before the offset of the message it replaces is
// committed, and an event the producer command reports as sent must not be lost.
import { Partitioners, type Kafka, type Producer as KafkajsProducer } from 'kafkajs';
import type { KafkaCompression } from '../../runtime/config.ts';
import type { Producer } from '../../messaging/port.ts';
import { chunkBySize } from '../../messaging/chunk-by-size.ts';
import {
  MessageTooLargeError,
  tooLargeErrorNames,
} from '../../messaging/message-too-large-error.ts';
import { kafkajsCompression } from './bounded-fetch-decoding.ts';

export function createProducer(kafka: Kafka): KafkajsProducer {
  return kafka.producer({
    allowAutoTopicCreation: false,
    // No duplicates from the producer's own retries.
    idempotent: true,
    // The Java client's partitioner: a key lands on the same partition from any client.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/**
 * The port's producer: sends in requests of bounded size (see chunk-by-size.ts), one by one, with
 * KAFKA_COMPRESSION (the codecs are registered with kafkajs by bounded-fetch-decoding.ts).
 */
export function portProducer(kafka: Kafka, compression: KafkaCompression = 'none'): Producer {
  const producer = createProducer(kafka);
  return {
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    async send(topic, messages) {
      const deliveries = [];
      for (const chunk of chunkBySize(messages)) {
        const sent = await producer
          .send({
            topic,
            acks: -1,
            compression: kafkajsCompression[compression],
            messages: chunk.map(toKafkajs),
          })
          .catch((error: unknown) => {
            throw isTooLarge(error) ? new MessageTooLargeError(topic, { cause: error }) : error;
          });
        deliveries.push(
          ...sent.map(({ partition, baseOffset }) => ({ partition, offset: baseOffset ?? '' })),
        );
      }
      return deliveries;
    },
  };
}

/** kafkajs throws the broker's error as it is, or wrapped along `cause` once retries are spent. */
function isTooLarge(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  const { type } = error as { type?: unknown };
  return (
    (typeof type === 'string' && tooLargeErrorNames.has(type)) || isTooLarge(error.cause, depth + 1)
  );
}

// kafkajs takes mutable records; the port's are read-only.
const toKafkajs = ({ key, value, headers }: Parameters<typeof chunkBySize>[0][number]) => ({
  key,
  value,
  headers: { ...headers },
});
