// Picks the Kafka client behind the port (KAFKA_CLIENT). Both adapters keep the same promises
// (messaging/port.ts); the integration suite runs against each. Only the chosen one is loaded:
// @platformatic/kafka alone adds about 56 MB to a process's memory. Only an application's main.ts,
// where a process is put together, calls this.
import type { Config } from '../runtime/config.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Messaging } from '../messaging/port.ts';
import type { KafkaSettings } from '../messaging/kafka-failures.ts';

export async function createMessaging(
  config: Pick<
    Config,
    | 'kafkaBrokers'
    | 'kafkaClientId'
    | 'kafkaClient'
    | 'kafkaCompression'
    | 'kafkaMaxDecompressedBatchBytes'
    | 'kafkaSecurity'
  > &
    KafkaSettings,
  logger: Logger,
): Promise<Messaging> {
  if (config.kafkaClient === 'platformatic') {
    const platformatic = await import('./platformatic/create-messaging.ts');
    return platformatic.createMessaging(config);
  }
  const kafkajs = await import('./kafkajs/create-messaging.ts');
  return kafkajs.createMessaging(config, logger);
}
