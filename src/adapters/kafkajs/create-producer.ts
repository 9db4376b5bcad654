// Every producer in the service is made the same way.
import { Partitioners, type Kafka, type Producer } from 'kafkajs';

export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    allowAutoTopicCreation: false,
    // No duplicates from the producer's own retries.
    idempotent: true,
    // The Java client's partitioner: a key lands on the same partition from any client.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}
