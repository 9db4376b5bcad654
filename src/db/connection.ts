// Owns the database connection: everything that talks to Postgres gets its knex from here.
import knexFactory, { type Knex } from 'knex';
import { knexConfig } from './knex-config.ts';

export type Database = Knex;

export function connectDatabase(databaseUrl: string, poolMax?: number): Database {
  return knexFactory(knexConfig(databaseUrl, poolMax));
}
