// Owns the database connection: everything that talks to Postgres gets its knex from here.
import knexFactory, { type Knex } from 'knex';
import type { Logger } from '../runtime/logger.ts';
import { knexConfig } from './knex-config.ts';

/** With a logger, knex's own messages (e.g. "Acquire connection error" while the database is
 * down) become log entries instead of raw lines on stdout. */
export function connectDatabase(databaseUrl: string, poolMax?: number, logger?: Logger): Knex {
  const config = knexConfig(databaseUrl, poolMax);
  if (logger === undefined) return knexFactory(config);
  // Messages such as ECONNREFUSED keep the address (redact.ts): it is what an operator checks.
  const text = (message: unknown) => (message instanceof Error ? message.message : String(message));
  return knexFactory({
    ...config,
    log: {
      warn: (message: unknown) => logger.warn(text(message), { component: 'knex' }),
      error: (message: unknown) => logger.warn(text(message), { component: 'knex' }),
      deprecate: (message: unknown) => logger.debug(text(message), { component: 'knex' }),
      debug: (message: unknown) => logger.debug(text(message), { component: 'knex' }),
    },
  });
}
