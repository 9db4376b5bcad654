// The tests' own kafkajs client: it sends raw messages, reads dead letters and committed offsets
// beside whichever client is under test, so every suite also checks that the two clients read each
// other's records. The one file of test/support/ that reaches into an adapter (the rule in
// .dependency-cruiser.js): the client must be built as the kafkajs adapter builds its own, because
// that adapter replaces kafkajs's fetch decoder, which must happen before any kafkajs fetch in the
// process, and registers the codecs a compressed dead letter needs.
import type { Kafka, Producer } from 'kafkajs';
import { createKafka } from '../../src/adapters/kafkajs/kafka-client.ts';
import { createProducer } from '../../src/adapters/kafkajs/producer.ts';
import type { KafkaClientSettings } from '../../src/runtime/config.ts';
import type { Logger } from '../../src/runtime/logger.ts';

export function referenceKafka(
  config: Pick<KafkaClientSettings, 'kafkaBrokers' | 'kafkaClientId' | 'kafkaSecurity'>,
  logger: Logger,
): Kafka {
  return createKafka(config, logger);
}

/** Idempotent, with the Java client's partitioner, as the service's producers are. */
export function referenceProducer(kafka: Kafka): Producer {
  return createProducer(kafka);
}
