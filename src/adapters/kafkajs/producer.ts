// Every producer in the service is made the same way, and every send waits for all in-sync
// replicas: a dead letter must be on the broker before the offset of the message it replaces is
// committed, and an event the producer command reports as sent must not be lost.
import { Partitioners, type Kafka, type Producer as KafkajsProducer } from 'kafkajs';
import type { KafkaCompression } from '../../runtime/config.ts';
import type { OutboundMessage } from '../../messaging/message.ts';
import type { Producer } from '../../messaging/port.ts';
import { chunkBySize } from '../../messaging/chunk-by-size.ts';
import {
  MessageTooLargeError,
  tooLargeErrorNames,
} from '../../messaging/message-too-large-error.ts';
import { kafkajsCompression } from './bounded-fetch-decoding.ts';
import { topicPartitions } from './one-partition-per-send.ts';

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
 * The port's producer: sends each partition's messages in requests of bounded size (see
 * chunk-by-size.ts), one partition per kafkajs send (see one-partition-per-send.ts), the
 * partitions side by side, with KAFKA_COMPRESSION (the codecs are registered with kafkajs by
 * bounded-fetch-decoding.ts).
 */
export function portProducer(kafka: Kafka, compression: KafkaCompression = 'none'): Producer {
  const producer = createProducer(kafka);
  const partitions = topicPartitions(kafka);

  const sendToPartition = async (
    topic: string,
    partition: number,
    messages: readonly OutboundMessage[],
  ) => {
    const deliveries = [];
    for (const chunk of chunkBySize(messages)) {
      const sent = await producer
        .send({
          topic,
          acks: -1,
          compression: kafkajsCompression[compression],
          messages: chunk.map((message) => ({ ...toKafkajs(message), partition })),
        })
        .catch((error: unknown) => {
          throw isTooLarge(error) ? new MessageTooLargeError(topic, { cause: error }) : error;
        });
      const delivery = sent.find((one) => one.partition === partition);
      // What the workaround exists for: never report a send the broker did not answer for.
      if (delivery?.baseOffset === undefined)
        throw new Error(`kafkajs resolved a send to ${topic} [${partition}] without its offset`);
      deliveries.push({ partition, offset: delivery.baseOffset });
    }
    return deliveries;
  };

  return {
    connect: () => producer.connect(),
    async disconnect() {
      await partitions.close();
      await producer.disconnect();
    },
    async send(topic, messages) {
      const partitionOf = await partitions.partitionsOf(topic, messages);
      const byPartition = Map.groupBy(messages, (_, index) => partitionOf[index]!);
      // Settled, not raced: a caller that retries after a failure finds no request still in flight.
      const sends = await Promise.allSettled(
        [...byPartition].map(([partition, ones]) => sendToPartition(topic, partition, ones)),
      );
      const failed = sends.find((one) => one.status === 'rejected');
      if (failed !== undefined) {
        partitions.forget(topic);
        throw failed.reason;
      }
      return sends.flatMap((one) => (one.status === 'fulfilled' ? one.value : []));
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
const toKafkajs = ({ key, value, headers }: OutboundMessage) => ({
  key,
  value,
  headers: { ...headers },
});
