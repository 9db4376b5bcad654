// `npm run consumer`: stores product.purchased events from Kafka in Postgres until stopped.
import { loadConfigOrExit } from '../../runtime/load-config.ts';
import { parseArgsOrExit } from '../../runtime/parse-args-or-exit.ts';
import { connectDatabase } from '../../storage/connection.ts';
import { requireMigrations } from '../../storage/require-migrations.ts';
import { explainDatabaseFailure } from '../../storage/database-failure.ts';
import { createMessaging } from '../../adapters/create-messaging.ts';
import { createLogger, errorFields } from '../../runtime/logger.ts';
import { exitOnFatal, onShutdownSignal } from '../../runtime/shutdown.ts';
import { createIngestMetrics } from './ingest-metrics.ts';
import { startOpsServer } from './ops-server.ts';
import { consumerUsage, parseConsumerOptions } from './consumer-options.ts';
import { runConsumer } from './run-consumer.ts';
import { retryTransient } from '../../runtime/retry-transient.ts';
import { failureClassifier } from '../../domain/errors/classify-error.ts';
import { databaseFailureKind } from '../../storage/database-failure-kind.ts';

parseArgsOrExit(parseConsumerOptions, consumerUsage);
const config = loadConfigOrExit();
const logger = createLogger(config.logLevel, config.logFormat).child({ component: 'consumer' });
const db = connectDatabase(config.database, undefined, logger);
const database = config.database;

try {
  // A database that is briefly away (restarting, failing over) is no reason to exit: a consumer
  // started then waits for it like a running one does, saying once what is wrong and how to fix
  // it (each retry is debug). A database that is missing, refuses the role or lacks the tables is.
  const checked = await retryTransient(() => requireMigrations(db), {
    classify: failureClassifier(databaseFailureKind),
    keepAlive: () => Promise.resolve(),
    shouldContinue: () => true,
    onRetry: (error, attempt, delayMs) => {
      const explained = explainDatabaseFailure(error, database);
      if (attempt === 1)
        logger.warn(`${explained?.message ?? 'database unavailable'}; waiting for it`, {
          ...(explained === undefined ? errorFields(error) : { code: explained.code }),
        });
      logger.debug('database unavailable at start-up, retrying', {
        attempt,
        delayMs,
        ...errorFields(error),
      });
    },
  }).catch((error: unknown) => {
    throw explainDatabaseFailure(error, database) ?? error;
  });
  const pending = checked.done ? checked.value : [];
  if (pending.length > 0) {
    logger.warn(
      'migrations pending: original-shape events are stored, events with v2 fields wait',
      {
        pending,
      },
    );
  }
  const metrics = createIngestMetrics(db);
  const consumer = await runConsumer({
    config,
    db,
    messaging: await createMessaging(config, logger),
    logger,
    metrics,
    onFatal: (error) => exitOnFatal(logger, error),
  });
  const ops = await startOpsServer({
    host: config.httpHost,
    port: config.httpPort,
    db,
    status: consumer.status,
    metrics,
  });
  logger.info('consumer started', {
    topic: config.topic,
    groupId: config.consumerGroupId,
    httpPort: ops.port,
  });
  onShutdownSignal(logger, async () => {
    await consumer.stop();
    await ops.close();
    await db.destroy();
  });
} catch (error) {
  exitOnFatal(logger, error);
}
