// Builds the kafkajs client with its logs routed through winston, and its fetch responses decoded
// with bounded codecs, one partition's unreadable batch kept to that partition (see
// bounded-fetch-decoding.ts).
import { Kafka, logLevel, type logCreator } from 'kafkajs';
import type { Config } from '../../runtime/config.ts';
import type { Logger } from '../../runtime/logger.ts';
import { installBoundedFetchDecoding } from './bounded-fetch-decoding.ts';
import { kafkajsSecurity } from './connection-security.ts';
import { dropKafkajsNegativeTimeoutWarnings } from './kafkajs-negative-timeout.ts';

const levels: Record<number, string> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

function winstonLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, error, groupId } = log as {
        message: string;
        error?: unknown;
        groupId?: unknown;
      };
      // kafkajs logs each failed connection attempt and each broker error response, also the
      // ones its own retries absorb (a coordinator still loading, a broker restarting): a broker
      // that is down made 14 lines in 13 s. Failures that matter reach us as thrown errors, and
      // the commands report those once (messaging/kafka-failures.ts); the attempts are debug.
      // A refused SASL login too: it is thrown and reported once as KAFKA_SASL_FAILED.
      const attempt =
        namespace === 'Connection' ||
        namespace === 'BrokerPool' ||
        // kafkajs's own root logger has no namespace.
        String(namespace).startsWith('SaslAuthenticator');
      const winstonLevel = attempt ? 'debug' : levels[level];
      logger.log(winstonLevel ?? 'info', String(message), {
        component: `kafkajs.${namespace}`,
        ...(typeof groupId === 'string' ? { groupId } : {}),
        ...(typeof error === 'string' ? { error } : {}),
        ...(error instanceof Error ? { error: error.message } : {}),
      });
    };
}

/** Without `kafkaMaxDecompressedBatchBytes` (an admin-only client), the cap in force is kept. */
export function createKafka(
  config: Pick<Config, 'kafkaBrokers' | 'kafkaClientId' | 'kafkaSecurity'> &
    Partial<Pick<Config, 'kafkaMaxDecompressedBatchBytes'>>,
  logger: Logger,
): Kafka {
  dropKafkajsNegativeTimeoutWarnings();
  installBoundedFetchDecoding(config.kafkaMaxDecompressedBatchBytes);
  return new Kafka({
    clientId: config.kafkaClientId,
    brokers: [...config.kafkaBrokers],
    ...kafkajsSecurity(config.kafkaSecurity),
    // kafkajs INFO is a line per connection; warnings and errors are what an operator needs.
    logLevel: logLevel.WARN,
    logCreator: winstonLogCreator(logger),
  });
}
