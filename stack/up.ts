// `npm run stack:up`: Postgres and Kafka ready for the service, from nothing. Safe to run again.
// The Postgres half is in postgres/, the Kafka half in kafka/; the topics are made by the port's
// admin.
import { loadConfigOrExit } from '../src/runtime/load-config.ts';
import { parseArgsOrExit, parseNoOptions } from '../src/runtime/parse-args-or-exit.ts';
import { stackUpUsage } from './stack-usage.ts';
import { createMessaging } from '../src/adapters/create-messaging.ts';
import { serviceTopics } from '../src/messaging/service-topics.ts';
import { createLogger } from '../src/runtime/logger.ts';
import { ensureKafka } from './kafka/local-kafka.ts';
import { ensureDatabaseAndRoles, rolePlan } from './postgres/database-roles.ts';
import { ensurePostgresRunning, postgresTarget } from './postgres/local-postgres.ts';

parseArgsOrExit(parseNoOptions, stackUpUsage);
const config = loadConfigOrExit();
const logger = createLogger(config.logLevel, config.logFormat).child({ component: 'stack' });

try {
  const postgres = await ensurePostgresRunning(
    config.postgresAdminUrl,
    config.stackPostgres,
    (line) => logger.info(line),
  );
  logger.info('postgres ready', { postgres: postgres.which, started: postgres.started });
  const roles = rolePlan(config.databaseUrl, config.migrationsDatabaseUrl);
  const { database } = postgresTarget(config.databaseUrl);
  if (await ensureDatabaseAndRoles(config.postgresAdminUrl, roles, database)) {
    logger.info('created the database', { database });
  }
  if (roles !== undefined) {
    logger.info('database roles ready', { owner: roles.owner.name, writer: roles.writer.name });
  }
  const kafka = await ensureKafka(config.kafkaBrokers, (line) => logger.info(line));
  logger.info('kafka ready', kafka);
  // Through the port, on the client KAFKA_CLIENT names: only that client's library is loaded.
  const admin = await (await createMessaging(config, logger)).connectAdmin();
  try {
    const created = await admin.createTopics(serviceTopics(config));
    logger.info('stack is up', { createdTopics: created });
  } finally {
    await admin.disconnect();
  }
} catch (error) {
  logger.error(`stack:up failed: ${(error as Error).message}`);
  process.exit(1);
}
