// `npm run stack:up`: Postgres and Kafka ready for the service, from nothing. Safe to run again.
import { loadConfigOrExit } from '../src/config/load-config.ts';
import { createKafka } from '../src/kafka/kafka-client.ts';
import { ensureTopics } from '../src/kafka/ensure-topics.ts';
import { createLogger } from '../src/logger.ts';
import { ensureKafka } from './kafka.ts';
import { ensureDatabase, ensurePostgresRunning } from './postgres.ts';

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel).child({ component: 'stack' });

try {
  if (await ensurePostgresRunning(config.databaseUrl))
    logger.info('started the local Postgres cluster');
  if (await ensureDatabase(config.databaseUrl)) logger.info('created the database');
  const kafka = await ensureKafka(config.kafkaBrokers);
  logger.info('kafka ready', kafka);
  const created = await ensureTopics(createKafka(config, logger), [
    { topic: config.topic, numPartitions: config.topicPartitions },
    { topic: config.dlqTopic, numPartitions: config.topicPartitions },
  ]);
  logger.info('stack is up', { createdTopics: created });
} catch (error) {
  logger.error(`stack:up failed: ${(error as Error).message}`);
  process.exit(1);
}
