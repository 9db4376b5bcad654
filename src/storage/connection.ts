// Owns the database connection: everything that talks to Postgres gets its knex from here.
import knexFactory, { type Knex } from 'knex';
import type { Logger } from '../runtime/logger.ts';
import type { DatabaseSetting } from '../runtime/database-setting.ts';
import { knexConfig } from './knex-config.ts';

// knex's words for a failure it also throws to the caller, who reports it once, in a line that
// names the fix (storage/database-failure.ts): repeated here they would be a second report, with
// a stack. They stay visible at debug.
const restatedFailure =
  /^(Acquire connection error|migration file ".*" failed|migration failed with error)/;

/** With a logger, knex's own messages (a migration's notes, its warnings) become log entries
 * instead of raw lines on stdout among JSON ones. */
export function connectDatabase(
  database: string | DatabaseSetting,
  poolMax?: number,
  logger?: Logger,
): Knex {
  const config = knexConfig(database, poolMax);
  if (logger === undefined) return knexFactory(config);
  // Messages such as ECONNREFUSED keep the address (redact.ts): it is what an operator checks.
  const text = (message: unknown) => (message instanceof Error ? message.message : String(message));
  const warn = (message: unknown) => {
    const line = text(message);
    logger.log(restatedFailure.test(line) ? 'debug' : 'warn', line, { component: 'knex' });
  };
  return knexFactory({
    ...config,
    log: {
      warn,
      error: warn,
      deprecate: (message: unknown) => logger.debug(text(message), { component: 'knex' }),
      debug: (message: unknown) => logger.debug(text(message), { component: 'knex' }),
    },
  });
}
