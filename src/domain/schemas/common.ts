// Building blocks shared by every version of the product.purchased schema. Limits mirror the
// columns they are stored in, so an event that validates is an event Postgres will accept.

/**
 * Postgres text holds neither U+0000 nor a lone UTF-16 surrogate (JSON.parse lets `"\ud800"`
 * through); refusing them here gives a clear error instead of a SQL one. AJV compiles patterns
 * with the `u` flag, so a proper surrogate pair is one code point and passes.
 */
const storableText = '^[^\\x00\\uD800-\\uDFFF]*$';

export const text = (maxLength: number) =>
  ({ type: 'string', minLength: 1, maxLength, pattern: storableText }) as const;

export const optionalText = (maxLength: number) =>
  ({ type: ['string', 'null'], maxLength, pattern: storableText }) as const;

/** numeric(10,2): at most 99 999 999.99, never negative, at most two decimals (cents). */
export const money = {
  type: 'number',
  minimum: 0,
  maximum: 99_999_999.99,
  maxDecimalPlaces: 2,
} as const;

export const optionalMoney = { ...money, type: ['number', 'null'] } as const;
