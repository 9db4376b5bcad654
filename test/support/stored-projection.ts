// The oracle of "stored exactly": Postgres itself parses the message text that was sent and compares
// every column, and the address row, with what the consumer stored. Fields the consumer ignores are
// dropped first (an unknown field may hold "\u0000", which Postgres cannot parse), numbers keeping
// their exact text. Numbers compare as numeric
// values, timestamps as instants, metadata as jsonb: the same rules the database applies, read from
// the original bytes rather than from anything the consumer computed.
import type { Knex } from 'knex';
import { parseExactJson } from '../../src/domain/events/parse-exact-json.ts';
import { productPurchasedV2 } from '../../src/domain/schemas/product-purchased.v2.ts';

const storedFields = Object.keys(productPurchasedV2.properties);

function withoutUnknownFields(messageText: string): string {
  const event = parseExactJson(messageText) as Record<string, unknown>;
  return JSON.stringify(Object.fromEntries(storedFields.map((field) => [field, event[field]])));
}

const sameColumns = `
      stored.event_type = sent.e->>'eventType'
  AND stored.timestamp = (sent.e->>'timestamp')::timestamptz
  AND stored.user_id = sent.e->>'userId'
  AND stored.product_id = sent.e->>'productId'
  AND stored.product_name = sent.e->>'productName'
  AND stored.category IS NOT DISTINCT FROM sent.e->>'category'
  AND stored.price = (sent.e->>'price')::numeric
  AND stored.currency = sent.e->>'currency'
  AND stored.quantity = (sent.e->>'quantity')::numeric
  AND coalesce(stored.metadata, 'null') = coalesce((sent.e->'metadata')::jsonb, 'null')
  AND stored.discount_code IS NOT DISTINCT FROM sent.e->>'discountCode'
  AND stored.discount_amount IS NOT DISTINCT FROM (sent.e->>'discountAmount')::numeric
  AND stored.tax_amount IS NOT DISTINCT FROM (sent.e->>'taxAmount')::numeric
  AND stored.schema_version = 2
  AND (SELECT jsonb_build_object('street', a.street, 'city', a.city, 'state', a.state,
                                 'zipCode', a.zip_code, 'country', a.country)
       FROM shipping_addresses AS a WHERE a.event_id = stored.event_id)
      IS NOT DISTINCT FROM
      (SELECT jsonb_build_object('street', s->>'street', 'city', s->>'city', 'state', s->>'state',
                                 'zipCode', s->>'zipCode', 'country', s->>'country')
       FROM (SELECT sent.e->'shippingAddress' AS s) AS address
       WHERE json_typeof(s) = 'object')`;

/** Whether the row under the message's eventId is exactly the event the message spells. */
export async function storedExactly(db: Knex, messageText: string): Promise<boolean> {
  const result = await db.raw<{ rows: { same: boolean }[] }>(
    `SELECT (${sameColumns}) AS same
     FROM (SELECT ?::json AS e) AS sent
     JOIN product_events AS stored ON stored.event_id = sent.e->>'eventId'`,
    [withoutUnknownFields(messageText)],
  );
  return result.rows[0]?.same === true;
}

/** Both tables as text, in a stable order, without the bookkeeping columns: for comparing runs. */
export async function databaseState(db: Knex): Promise<string> {
  const events = await db.raw<{ rows: unknown[] }>(`
    SELECT event_id, event_type, timestamp::text, user_id, product_id, product_name, category,
           price::text, currency, quantity, metadata::text, discount_code, discount_amount::text,
           tax_amount::text, schema_version
    FROM product_events ORDER BY event_id`);
  const addresses = await db.raw<{ rows: unknown[] }>(
    'SELECT event_id, street, city, state, zip_code, country FROM shipping_addresses ORDER BY event_id',
  );
  return JSON.stringify({ events: events.rows, addresses: addresses.rows });
}
