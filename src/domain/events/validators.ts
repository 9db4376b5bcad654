// AJV validators for every event version, compiled once at import.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isRawJsonNumber } from './parse-exact-json.ts';
import { isStorableTimestamp } from './storable-timestamp.ts';
import { productPurchasedV1 } from '../schemas/product-purchased.v1.ts';
import { productPurchasedV2 } from '../schemas/product-purchased.v2.ts';
import type { ProductPurchasedV1, ProductPurchasedV2 } from '../schemas/types.ts';

/**
 * What the caller already knows about the value it validates (`validate.call(context, value)`):
 * the deepest nesting of the whole message, from the byte scan (scan-json.ts). A nested value sits
 * at least one level below the root, so it nests at most `messageDepth - 1` levels, and the depth
 * keyword need not walk it again when that is within its limit.
 */
export interface ValidationContext {
  readonly messageDepth: number;
}

// JSON numbers are doubles, so "at most two decimals" cannot be checked with multipleOf: 0.01
// (129.99 / 0.01 is 12998.999999999998). The shortest round-trip text of a number, which is what
// the producer wrote, tells its decimals exactly. Integers (quantity, whole prices) need no text.
export function decimalPlaces(value: number): number {
  if (Number.isInteger(value)) return 0;
  const text = String(value);
  const e = text.indexOf('e');
  const mantissaEnd = e === -1 ? text.length : e;
  const dot = text.indexOf('.');
  const fraction = dot === -1 || dot > mantissaEnd ? 0 : mantissaEnd - dot - 1;
  const exponent = e === -1 ? 0 : Number(text.slice(e + 1));
  return Math.max(0, fraction - exponent);
}

// How deeply a JSON value nests, counted without recursion: a hostile event nested thousands of
// levels deep must get a clear "too deep" answer, not overflow the stack that measures it.
export function nestingDepth(value: unknown, stopAt = Infinity): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    // A raw JSON number (parse-exact-json.ts) is a number, not a level.
    if (item === null || typeof item !== 'object' || isRawJsonNumber(item)) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > stopAt) return deepest;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return deepest;
}

const ajv = new Ajv({ allErrors: false, strict: true, passContext: true });
// Our own date-time: RFC 3339 narrowed to what Postgres stores unchanged (storable-timestamp.ts).
ajv.addFormat('date-time', { type: 'string', validate: isStorableTimestamp });
ajv.addKeyword({
  keyword: 'maxDecimalPlaces',
  type: 'number',
  schemaType: 'number',
  validate: (max: number, value: number) => decimalPlaces(value) <= max,
  error: { message: (ctx) => `must have at most ${String(ctx.schema)} decimal places` },
});

ajv.addKeyword({
  keyword: 'maxNestingDepth',
  type: 'object',
  schemaType: 'number',
  validate(this: ValidationContext | undefined, max: number, value: object) {
    if (this?.messageDepth !== undefined && this.messageDepth - 1 <= max) return true;
    return nestingDepth(value, max) <= max;
  },
  error: { message: (ctx) => `must nest at most ${String(ctx.schema)} levels deep` },
});

export const validateV1: ValidateFunction<ProductPurchasedV1> = ajv.compile(productPurchasedV1);
export const validateV2: ValidateFunction<ProductPurchasedV2> = ajv.compile(productPurchasedV2);

/** A readable reason that names the field and the rule, never the offending value. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  if (first === undefined) return 'invalid';
  const where = first.instancePath === '' ? 'event' : first.instancePath;
  return `${where} ${first.message ?? 'is invalid'}`;
}
