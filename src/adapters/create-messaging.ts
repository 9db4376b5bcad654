// Picks the Kafka client behind the port (KAFKA_CLIENT). Both adapters keep the same promises
// (messaging/port.ts); the integration suite runs against each. Only an application's main.ts,
// where a process is put together, calls this.
import type { Config } from '../runtime/config.ts';
import type { Logger } from '../runtime/logger.ts';
import type { Messaging } from '../messaging/port.ts';
import { createMessaging as onKafkajs } from './kafkajs/create-messaging.ts';
import { createMessaging as onPlatformatic } from './platformatic/create-messaging.ts';

export function createMessaging(
  config: Pick<Config, 'kafkaBrokers' | 'kafkaClientId' | 'kafkaClient'>,
  logger: Logger,
): Messaging {
  return config.kafkaClient === 'platformatic' ? onPlatformatic(config) : onKafkajs(config, logger);
}
