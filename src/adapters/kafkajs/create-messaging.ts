// The kafkajs adapter's one entry: the port (messaging/port.ts) on a kafkajs client. Only an
// application's main.ts, where a process is put together, calls it.
import type { KafkaClientSettings } from '../../runtime/config.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { Messaging } from '../../messaging/port.ts';
import { explainKafkaFailures, type KafkaSettings } from '../../messaging/kafka-failures.ts';
import { recogniseKafkajsFailure } from './recognise-failure.ts';
import { connectAdmin } from './admin.ts';
import { kafkajsFailureKind } from './failure-kind.ts';
import { consumeGroup } from './group-consumer.ts';
import { createKafka } from './kafka-client.ts';
import { portProducer } from './producer.ts';
import { readRange } from './read-range.ts';

export function createMessaging(
  config: KafkaClientSettings & KafkaSettings,
  logger: Logger,
): Messaging {
  const kafka = createKafka(config, logger);
  const messaging: Messaging = {
    createProducer: () => portProducer(kafka, config.kafkaCompression),
    consume: (options) => consumeGroup(kafka, options),
    readRanges: (options) => readRange(kafka, options),
    connectAdmin: () => connectAdmin(kafka),
    failureKind: kafkajsFailureKind,
  };
  return explainKafkaFailures(messaging, recogniseKafkajsFailure, config);
}
