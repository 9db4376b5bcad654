// What db:migrate and db:migrate:down share. They read only what they need (the owner role's URL,
// LOG_LEVEL, LOG_FORMAT), so an unrelated bad setting never stops a migration; they log through
// the service's logger, knex's own messages included, so a JSON log stays JSON lines; and a
// failure with a known cause is one line naming the fix (its stack at LOG_LEVEL=debug only).
import type { Knex } from 'knex';
import { ServiceError } from '../../src/domain/errors/error-codes.ts';
import { readLogSettings, readMigrationsDatabase } from '../../src/runtime/config.ts';
import { loadSettingsOrExit } from '../../src/runtime/load-config.ts';
import { createLogger, type Logger } from '../../src/runtime/logger.ts';
import { exitOnFatal } from '../../src/runtime/shutdown.ts';
import { connectDatabase } from '../../src/storage/connection.ts';
import { explainDatabaseFailure } from '../../src/storage/database-failure.ts';

/** A migration's down() refused to drop stored data (see the migrations' refusal). */
const refusedToDropData = (error: unknown) =>
  error instanceof Error && (error as { code?: unknown }).code === 'MIGRATION_WOULD_DROP_DATA';

export async function runMigrationCommand(
  component: string,
  work: (db: Knex, logger: Logger) => Promise<void>,
  userParams: Readonly<Record<string, unknown>> = {},
): Promise<void> {
  const { setting, logLevel, logFormat } = loadSettingsOrExit(() => ({
    setting: readMigrationsDatabase(),
    ...readLogSettings(),
  }));
  const logger = createLogger(logLevel, logFormat).child({ component });
  // Migrations run as the role that owns the tables.
  const db = connectDatabase(setting, 1, logger).withUserParams({ ...userParams });
  try {
    await work(db, logger);
  } catch (error) {
    await db.destroy();
    if (refusedToDropData(error))
      exitOnFatal(
        logger,
        new ServiceError('MIGRATION_WOULD_DROP_DATA', (error as Error).message, { cause: error }),
      );
    exitOnFatal(logger, explainDatabaseFailure(error, setting) ?? error);
  }
  await db.destroy();
}
