// JSON.parse turns every number into a double, so `0.1000000000000000000001`, `1e400` and
// `9007199254740993` would silently become 0.1, Infinity and 9007199254740992. Node 24's reviver
// sees each number's source text: a number whose text and double denote the same decimal stays a
// number; any other keeps its exact text as a raw JSON value, which JSON.stringify writes back
// verbatim and Postgres (jsonb, numeric) stores exactly. No walk of our own over untrusted data:
// the parser visits each value once, bottom-up, without recursion on our side.

/** The JSON text of a number a double could not hold exactly, kept as written. */
interface RawJsonNumber {
  readonly rawJSON: string;
}

// Not yet in TypeScript's lib: the reviver's third argument and JSON.rawJSON / JSON.isRawJSON.
type ReviverContext = { readonly source?: string };
const json = JSON as unknown as {
  parse(
    text: string,
    reviver: (key: string, value: unknown, context: ReviverContext) => unknown,
  ): unknown;
  rawJSON(text: string): RawJsonNumber;
  isRawJSON(value: unknown): value is RawJsonNumber;
};

export const isRawJsonNumber = (value: unknown): value is RawJsonNumber => json.isRawJSON(value);

/** A JSON number's text as `<sign><digits>e<exponent>`, with no leading or trailing zeros. */
export function canonicalDecimal(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match === null) return text;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  // value = digits × 10^(exponent − fraction length); BigInt keeps exponents like 1e999999999.
  const digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return '0'; // -0 and 0.000 are zero: numeric has no negative zero
  const significant = digits.replace(/0+$/, '');
  const scale =
    BigInt(exponent) - BigInt(fraction.length) + BigInt(digits.length - significant.length);
  return `${sign}${significant}e${scale}`;
}

function keepExact(_key: string, value: unknown, context: ReviverContext): unknown {
  if (typeof value !== 'number' || context.source === undefined) return value;
  const source = context.source;
  // The common case first: the shortest text of the double is what was written.
  if (String(value) === source) return value;
  return canonicalDecimal(source) === canonicalDecimal(String(value))
    ? value
    : json.rawJSON(source);
}

/** JSON.parse that never changes a number: inexact ones come back as raw JSON numbers. */
export function parseExactJson(text: string): unknown {
  return json.parse(text, keepExact);
}
