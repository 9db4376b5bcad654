// AJV validators for every event version, compiled once at import.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { decimalPlaces } from './decimal-places.ts';
import { nestingDepth } from './nesting-depth.ts';
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
