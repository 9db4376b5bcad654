// The @platformatic/kafka adapter's one entry: the port (messaging/port.ts) on that client, chosen
// with KAFKA_CLIENT=platformatic. The client logs nothing of its own (it reports through events
// and errors, which reach the commands, and they log them), so it takes no logger.
import type { KafkaClientSettings } from '../../runtime/config.ts';
import type { Messaging } from '../../messaging/port.ts';
import { explainKafkaFailures, type KafkaSettings } from '../../messaging/kafka-failures.ts';
import { recognisePlatformaticFailureWith } from './recognise-failure.ts';
import { connectAdmin } from './admin.ts';
import { platformaticFailureKind } from './failure-kind.ts';
import { boundPlatformaticDecompression } from './bounded-decompression.ts';
import { clientOptions } from './client-options.ts';
import { consumeGroup } from './group-consumer.ts';
import { portProducer } from './producer.ts';
import { readRange } from './read-range.ts';

export function createMessaging(config: KafkaClientSettings & KafkaSettings): Messaging {
  boundPlatformaticDecompression(config.kafkaMaxDecompressedBatchBytes);
  const client = clientOptions(config);
  const messaging: Messaging = {
    createProducer: () => portProducer(client, config.kafkaCompression),
    consume: (options) => consumeGroup(client, options),
    readRanges: (options) => readRange(client, options),
    connectAdmin: () => connectAdmin(client),
    failureKind: platformaticFailureKind,
  };
  return explainKafkaFailures(
    messaging,
    recognisePlatformaticFailureWith(config.kafkaSecurity),
    config,
  );
}
