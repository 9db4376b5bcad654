// Which columns the database has. The consumer starts on any database that has product_events:
// original-shape events need nothing more, so they keep flowing while the migrations are pending
// or running. An event with v2 fields waits (retried) until every v2 migration has run.
import type { Knex } from 'knex';
import type { StorageSchema } from './product-events.ts';

async function readStorageSchema(db: Knex): Promise<StorageSchema | undefined> {
  const result = await db.raw<{ rows: { v1: boolean; v2: boolean }[] }>(`
    SELECT to_regclass('product_events') IS NOT NULL AS v1,
           to_regclass('shipping_addresses') IS NOT NULL AND EXISTS (
             SELECT 1 FROM pg_attribute
             WHERE attrelid = to_regclass('product_events')
               AND attname = 'schema_version' AND NOT attisdropped) AS v2`);
  const [found] = result.rows;
  return found?.v2 === true ? 'v2' : found?.v1 === true ? 'v1' : undefined;
}

export interface StorageSchemaProbe {
  /** The schema last seen; asks the database again when `refresh` and it was not v2 yet. */
  current(refresh?: boolean): Promise<StorageSchema | undefined>;
}

// Until v2, rows are stored without schema_version; asking again now and then means rows stored
// after the migration are marked as v2 rows even while no event carries v2 fields.
const recheckEveryMs = 5_000;

export function storageSchemaProbe(db: Knex, now = Date.now): StorageSchemaProbe {
  let known: StorageSchema | undefined;
  let checkedAt = -Infinity;
  return {
    async current(refresh = false) {
      // v2 is final: rolling the migration back under a running consumer is not supported.
      if (known === 'v2') return known;
      if (known !== undefined && !refresh && now() - checkedAt < recheckEveryMs) return known;
      known = await readStorageSchema(db);
      checkedAt = now();
      return known;
    },
  };
}
