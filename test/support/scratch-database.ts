// A database of its own for one test file, dropped afterwards, so runs never see each other's rows.
import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { connectDatabase } from '../../src/storage/connection.ts';
import { maintenanceUrl } from '../../stack/postgres.ts';
import { withDatabase } from '../../src/runtime/postgres-url.ts';

export interface ScratchDatabase {
  readonly url: string;
  readonly db: Knex;
  drop(): Promise<void>;
}

export async function createScratchDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({
    client: 'pg',
    connection: maintenanceUrl(serverUrl),
    pool: { min: 0, max: 1 },
  });
  await admin.raw('CREATE DATABASE ??', [name]);
  const url = withDatabase(serverUrl, name);
  const db = connectDatabase(url);
  return {
    url,
    db,
    async drop() {
      await db.destroy();
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
      await admin.destroy();
    },
  };
}
