// The original system's database, as its Sequelize migration left it, and rows as its consumer
// wrote them: the starting point of an adoption (docs/adopting-an-existing-database.md).
import type { Knex } from 'knex';
import type { ProductPurchasedV2 } from '../../src/domain/schemas/types.ts';

// The statements Sequelize ran for migration 20251008000000-create-product-events.js: BIGINT
// autoIncrement is BIGSERIAL, `unique: true` an inline UNIQUE, each addIndex a plain index named
// table_column, and its own history in "SequelizeMeta".
export const originalDdl = `
  CREATE TABLE IF NOT EXISTS "SequelizeMeta" ("name" VARCHAR(255) NOT NULL UNIQUE, PRIMARY KEY ("name"));
  CREATE TABLE IF NOT EXISTS "product_events" (
    "id" BIGSERIAL,
    "event_id" VARCHAR(255) NOT NULL UNIQUE,
    "event_type" VARCHAR(100) NOT NULL,
    "timestamp" TIMESTAMP WITH TIME ZONE NOT NULL,
    "user_id" VARCHAR(255) NOT NULL,
    "product_id" VARCHAR(255) NOT NULL,
    "product_name" VARCHAR(500) NOT NULL,
    "category" VARCHAR(255),
    "price" DECIMAL(10,2) NOT NULL,
    "currency" VARCHAR(3) NOT NULL DEFAULT 'USD',
    "quantity" INTEGER NOT NULL DEFAULT 1,
    "metadata" JSONB,
    "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY ("id"));
  CREATE INDEX "product_events_event_id" ON "product_events" ("event_id");
  CREATE INDEX "product_events_user_id" ON "product_events" ("user_id");
  CREATE INDEX "product_events_event_type" ON "product_events" ("event_type");
  CREATE INDEX "product_events_timestamp" ON "product_events" ("timestamp");
  INSERT INTO "SequelizeMeta" ("name") VALUES ('20251008000000-create-product-events.js');
`;

export const sequelizeIndexes = [
  'product_events_event_id',
  'product_events_event_type',
  'product_events_timestamp',
  'product_events_user_id',
];

export async function createOriginalDatabase(db: Knex): Promise<void> {
  await db.raw(originalDdl);
}

// ProductEvent.create(): Sequelize lists every attribute, DEFAULT for the id, and sets the
// timestamps itself. It knows nothing of the v2 columns.
const insertSql = `
  INSERT INTO "product_events" ("id","event_id","event_type","timestamp","user_id","product_id",
    "product_name","category","price","currency","quantity","metadata","created_at","updated_at")
  VALUES (DEFAULT,?,?,?,?,?,?,?,?,?,?,?,?,?)
  RETURNING "id","event_id","event_type","timestamp","user_id","product_id","product_name",
    "category","price","currency","quantity","metadata","created_at","updated_at"`;

/** Stores the event as the original consumer did; returns the row's id. */
export async function insertAsOriginalConsumer(
  db: Knex,
  event: ProductPurchasedV2,
  at = new Date(),
): Promise<string> {
  const result = await db.raw<{ rows: { id: string }[] }>(insertSql, [
    event.eventId,
    event.eventType,
    event.timestamp,
    event.userId,
    event.productId,
    event.productName,
    event.category ?? null,
    event.price,
    event.currency,
    event.quantity,
    event.metadata === undefined ? null : JSON.stringify(event.metadata),
    at,
    at,
  ]);
  const [row] = result.rows;
  if (row === undefined) throw new Error('the original INSERT returned no row');
  return row.id;
}
