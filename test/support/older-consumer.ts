// Rows as the consumer that predates v2 stored them: the original columns only.
import type { Knex } from 'knex';
import type { ProductPurchasedV2 } from '../../src/domain/schemas/types.ts';

export async function storeAsOlderConsumer(
  db: Knex,
  events: readonly ProductPurchasedV2[],
): Promise<void> {
  await db('product_events').insert(
    events.map((event) => ({
      event_id: event.eventId,
      event_type: event.eventType,
      timestamp: event.timestamp,
      user_id: event.userId,
      product_id: event.productId,
      product_name: event.productName,
      category: event.category,
      price: event.price,
      currency: event.currency,
      quantity: event.quantity,
      metadata: event.metadata,
    })),
  );
}
