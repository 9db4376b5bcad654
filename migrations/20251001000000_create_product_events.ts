// product_events as the original system created it. Never edit this file: later changes are new
// migrations, so every database can be brought from any version to the latest.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('product_events', (table) => {
    table.bigIncrements('id').primary();
    table.string('event_id', 255).notNullable().unique();
    table.string('event_type', 100).notNullable();
    table.timestamp('timestamp', { useTz: true }).notNullable();
    table.string('user_id', 255).notNullable();
    table.string('product_id', 255).notNullable();
    table.string('product_name', 500).notNullable();
    table.string('category', 255).nullable();
    table.decimal('price', 10, 2).notNullable();
    table.string('currency', 3).notNullable().defaultTo('USD');
    table.integer('quantity').notNullable().defaultTo(1);
    table.jsonb('metadata').nullable();
    table.timestamp('created_at', { useTz: true }).defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).defaultTo(knex.fn.now());
    table.index('user_id');
    table.index('event_type');
    table.index('timestamp');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('product_events');
}
