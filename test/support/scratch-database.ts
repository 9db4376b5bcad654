// A database of its own for one test file, dropped afterwards, so runs never see each other's rows.
import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { connectDatabase } from '../../src/storage/connection.ts';
import { maintenanceUrl } from '../../stack/postgres/local-postgres.ts';
import { withDatabase } from '../../src/runtime/postgres-url.ts';
import { testServices } from './services.ts';

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

/**
 * A migrated database of its own for every test of the calling describe block, dropped after
 * each: `.db` is the current test's connection.
 */
export function migratedDatabasePerTest(): { readonly db: Knex; readonly url: string } {
  let scratch: ScratchDatabase | undefined;
  beforeEach(async () => {
    scratch = await createScratchDatabase((await testServices()).databaseUrl);
    await scratch.db.migrate.latest();
  });
  afterEach(async () => {
    await scratch?.drop();
    scratch = undefined;
  });
  return {
    get db() {
      if (scratch === undefined) throw new Error('the scratch database exists only inside a test');
      return scratch.db;
    },
    get url() {
      if (scratch === undefined) throw new Error('the scratch database exists only inside a test');
      return scratch.url;
    },
  };
}
