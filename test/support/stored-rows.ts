// Reads product_events and shipping_addresses back in a form that compares field by field with the
// events that were sent: money as the exact numeric text, timestamps as the exact instant in
// microseconds, metadata as JSON text with sorted keys (jsonb reorders keys; nothing else may change).
import type { Knex } from 'knex';
import type { ProductPurchasedV2 } from '../../src/domain/schemas/types.ts';

export interface ComparableRow {
  readonly event_id: string;
  readonly event_type: string;
  readonly timestamp_us: string;
  readonly user_id: string;
  readonly product_id: string;
  readonly product_name: string;
  readonly category: string | null;
  readonly price: string;
  readonly currency: string;
  readonly quantity: number;
  readonly metadata: string;
  readonly discount_code: string | null;
  readonly discount_amount: string | null;
  readonly tax_amount: string | null;
}

export interface ComparableAddress {
  readonly event_id: string;
  readonly street: string;
  readonly city: string;
  readonly state: string | null;
  readonly zip_code: string | null;
  readonly country: string;
}

/** JSON text with object keys sorted; own `__proto__` keys are kept as the data they are. */
export function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    const record = value as Record<string, unknown>;
    const entries = keys.map((key) => {
      const own = Object.getOwnPropertyDescriptor(record, key)?.value as unknown;
      return `${JSON.stringify(key)}:${sortedJson(own)}`;
    });
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

const timestampPattern =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** The instant an RFC 3339 timestamp names, in microseconds since the epoch, as decimal text. */
export function epochMicros(timestamp: string): string {
  const match = timestampPattern.exec(timestamp);
  if (match === null) throw new Error(`the test cannot read the timestamp ${timestamp}`);
  const [, year, month, day, hour, minute, second, fraction, sign, offsetH, offsetM] = match;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0 to 99 as 1900 to 1999.
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(Number(hour), Number(minute), Number(second), 0);
  const offsetMs =
    sign === undefined
      ? 0
      : (sign === '-' ? -1 : 1) * (Number(offsetH) * 60 + Number(offsetM)) * 60_000;
  const micros = BigInt(date.getTime() - offsetMs) * 1000n;
  return String(micros + BigInt((fraction ?? '').padEnd(6, '0')));
}

const money = (amount: number | null | undefined) =>
  amount === undefined || amount === null ? null : amount.toFixed(2);

/** The row an event must become. */
export function expectedRow(event: ProductPurchasedV2): ComparableRow {
  return {
    event_id: event.eventId,
    event_type: event.eventType,
    timestamp_us: epochMicros(event.timestamp),
    user_id: event.userId,
    product_id: event.productId,
    product_name: event.productName,
    category: event.category ?? null,
    price: event.price.toFixed(2),
    currency: event.currency,
    quantity: event.quantity,
    metadata: sortedJson(event.metadata ?? null),
    discount_code: event.discountCode ?? null,
    discount_amount: money(event.discountAmount),
    tax_amount: money(event.taxAmount),
  };
}

/** The shipping_addresses row an event must become, or null when it sent no address. */
export function expectedAddress(event: ProductPurchasedV2): ComparableAddress | null {
  const address = event.shippingAddress;
  if (address === undefined || address === null) return null;
  return {
    event_id: event.eventId,
    street: address.street,
    city: address.city,
    state: address.state ?? null,
    zip_code: address.zipCode ?? null,
    country: address.country,
  };
}

type RawRow = Omit<ComparableRow, 'metadata'> & { readonly metadata: unknown };

/** Every product_events row by event_id (the table must have the v2 columns). */
export async function readRows(db: Knex): Promise<Map<string, ComparableRow>> {
  const result = await db.raw<{ rows: RawRow[] }>(`
    SELECT event_id, event_type,
           (extract(epoch FROM "timestamp") * 1000000)::bigint::text AS timestamp_us,
           user_id, product_id, product_name, category, price::text AS price, currency, quantity,
           metadata, discount_code, discount_amount::text AS discount_amount,
           tax_amount::text AS tax_amount
    FROM product_events`);
  return new Map(
    result.rows.map((row) => [row.event_id, { ...row, metadata: sortedJson(row.metadata) }]),
  );
}

/** Every shipping_addresses row by event_id. */
export async function readAddresses(db: Knex): Promise<Map<string, ComparableAddress>> {
  const rows = await db<ComparableAddress>('shipping_addresses').select(
    'event_id',
    'street',
    'city',
    'state',
    'zip_code',
    'country',
  );
  return new Map(rows.map((row) => [row.event_id, { ...row }]));
}

/** Whether the stored row is exactly the event (every column). */
export function rowMatches(row: ComparableRow | undefined, event: ProductPurchasedV2): boolean {
  return row !== undefined && sortedJson(row) === sortedJson(expectedRow(event));
}
