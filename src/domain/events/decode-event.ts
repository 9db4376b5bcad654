// Turns a Kafka message value into a validated event, a skip (another event type on the topic) or a
// rejection (an event that can never be stored). Pure: no I/O, so every case is a unit test.
import type { Rejection } from '../errors/error-codes.ts';
import { v2OnlyFields } from '../schemas/product-purchased.v2.ts';
import type { ProductPurchasedV2 } from '../schemas/types.ts';
import { scanJson } from './scan-json.ts';
import { isRawJsonNumber, parseExactJson } from './parse-exact-json.ts';
import { describeErrors, validateV1, validateV2, type ValidationContext } from './validators.ts';

const handledEventType = 'product.purchased';

export type SchemaVersion = 1 | 2;

export type Decoded =
  | {
      readonly kind: 'event';
      readonly event: ProductPurchasedV2;
      readonly schemaVersion: SchemaVersion;
    }
  | { readonly kind: 'skip'; readonly reason: 'other-event-type' }
  | ({ readonly kind: 'reject' } & Rejection);

// fatal: invalid UTF-8 is an error, not silently replaced by U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Numbers stored in typed columns: one a double cannot hold as written is refused, not rounded. */
const exactNumberFields = ['price', 'quantity', 'discountAmount', 'taxAmount'] as const;

/** Limits on one message, each a clean dead letter when exceeded (config: EVENT_MAX_*). */
export interface EventLimits {
  readonly maxBytes: number;
  /** Levels of objects and arrays anywhere in the message, unknown fields included. */
  readonly maxDepth: number;
}

export const defaultEventLimits: EventLimits = Object.freeze({
  maxBytes: 1_048_576, // Kafka's default message size limit (1 MiB)
  maxDepth: 64, // an event needs 3; metadata may use 32
});

export function decodeEvent(value: Buffer | null, limits = defaultEventLimits): Decoded {
  if (value === null || value.length === 0) {
    return { kind: 'reject', code: 'EVENT_MALFORMED', reason: 'the message has no value' };
  }
  if (value.length > limits.maxBytes) {
    const reason = `the message value is ${value.length} bytes, over the ${limits.maxBytes}-byte limit (EVENT_MAX_BYTES)`;
    return { kind: 'reject', code: 'EVENT_TOO_LARGE', reason };
  }
  const scan = scanJson(value, limits.maxDepth);
  if (scan.tooDeep) {
    const reason = `the message nests deeper than ${limits.maxDepth} levels (EVENT_MAX_DEPTH)`;
    return { kind: 'reject', code: 'EVENT_TOO_LARGE', reason };
  }
  const malformed = (what: string): Decoded => ({
    kind: 'reject',
    code: 'EVENT_MALFORMED',
    reason: `the message value is ${what}`,
  });
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return malformed('not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = scan.numbersFitDoubles ? JSON.parse(text) : parseExactJson(text);
  } catch (error) {
    // Anything but a syntax error is ours, not the producer's: the caller's boundary reports it.
    if (error instanceof SyntaxError) return malformed('not valid JSON');
    throw error;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return {
      kind: 'reject',
      code: 'EVENT_SCHEMA_VIOLATION',
      reason: 'event must be a JSON object',
    };
  }
  const eventType: unknown = (parsed as Record<string, unknown>)['eventType'];
  if (typeof eventType === 'string' && eventType !== handledEventType) {
    return { kind: 'skip', reason: 'other-event-type' };
  }
  for (const field of exactNumberFields) {
    if (isRawJsonNumber((parsed as Record<string, unknown>)[field])) {
      const reason = `/${field} must be a number Postgres stores exactly as written (at most 2 decimal places for money, an integer for quantity)`;
      return { kind: 'reject', code: 'EVENT_SCHEMA_VIOLATION', reason };
    }
  }
  const isV2 = v2OnlyFields.some((field) => Object.hasOwn(parsed, field));
  const validate = isV2 ? validateV2 : validateV1;
  const context: ValidationContext = { messageDepth: scan.depth };
  if (!validate.call(context, parsed)) {
    return {
      kind: 'reject',
      code: 'EVENT_SCHEMA_VIOLATION',
      reason: describeErrors(validate.errors),
    };
  }
  // validate.call keeps AJV's check but not its type guard: the value is the validated event.
  return { kind: 'event', event: parsed as ProductPurchasedV2, schemaVersion: isV2 ? 2 : 1 };
}

/** Whether storing the event needs the v2 columns: a v2 field with a value, not just null. */
export function carriesV2Data(event: ProductPurchasedV2): boolean {
  return v2OnlyFields.some((field) => event[field] !== undefined && event[field] !== null);
}
