// Every producer in the service is made the same way, and every send waits for all in-sync
// replicas: a dead letter must be on the broker before the offset of the message it replaces is
// committed, and an event the producer command reports as sent must not be lost. Not idempotent:
// kafkajs 2.2.4's idempotent producer resolved sends whose records never reached the topic when a
// partition leader was killed or shut down (7 of 53 918 events in the cluster failover test,
// test/cluster/), as it rolls sequence numbers back under requests still in flight and the broker
// then takes a later batch for a duplicate. Without idempotence a resolved send is the broker's own
// word that the in-sync replicas (at least min.insync.replicas) hold every record; a send retried
// after a lost answer may be written twice, which dead letters (at least once) and events (stored
// once per eventId) absorb.
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
    idempotent: false,
    // One request per broker at a time: a retried request is never overtaken by the next.
    maxInFlightRequests: 1,
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
