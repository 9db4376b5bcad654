// One pass over a message's bytes, before anything parses them, answering two questions:
// - Does it nest deeper than the limit? JSON.parse with a reviver recurses once per level and
//   overflows the stack at a few thousand; this loop does not, and stops once the limit is passed.
// - Can a plain JSON.parse read every number exactly? A number written with at most 15 digits and
//   no exponent always can: distinct decimals of 15 digits are distinct doubles, so the double's
//   shortest text is the decimal written. Then the native parser, without a reviver, is enough;
//   any other number sends the message through parse-exact-json.ts. Brackets, digits and letters
//   inside strings do not count.
const openBrace = 0x7b;
const openBracket = 0x5b;
const closeBrace = 0x7d;
const closeBracket = 0x5d;
const quote = 0x22;
const backslash = 0x5c;
const minus = 0x2d;
const zero = 0x30;
const nine = 0x39;
const dot = 0x2e;
const plus = 0x2b;
const lowerE = 0x65;
const upperE = 0x45;

/** Digits a decimal may have for any double that holds it to print it back unchanged. */
const exactDigits = 15;

interface JsonScan {
  readonly tooDeep: boolean;
  /** The deepest level of objects and arrays (the root object is 1); past the limit once tooDeep. */
  readonly depth: number;
  /** Every number is one a double holds as written: JSON.parse needs no reviver. */
  readonly numbersFitDoubles: boolean;
}

const isDigit = (byte: number | undefined) => byte !== undefined && byte >= zero && byte <= nine;

export function scanJson(bytes: Uint8Array, maxDepth: number): JsonScan {
  let depth = 0;
  let deepest = 0;
  let numbersFitDoubles = true;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i];
    if (byte === quote) {
      // Skip the string: to its closing quote, stepping over escaped characters.
      for (i += 1; i < bytes.length && bytes[i] !== quote; i += 1) {
        if (bytes[i] === backslash) i += 1;
      }
    } else if (byte === openBrace || byte === openBracket) {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (depth > maxDepth) return { tooDeep: true, depth, numbersFitDoubles };
    } else if (byte === closeBrace || byte === closeBracket) {
      depth -= 1;
    } else if (numbersFitDoubles && (byte === minus || isDigit(byte))) {
      let digits = 0;
      for (; i < bytes.length; i += 1) {
        const next = bytes[i];
        if (isDigit(next)) digits += 1;
        else if (next === lowerE || next === upperE) numbersFitDoubles = false;
        else if (next !== dot && next !== minus && next !== plus) break;
      }
      i -= 1; // the byte after the number is read again by the outer loop
      if (digits > exactDigits) numbersFitDoubles = false;
    }
  }
  return { tooDeep: false, depth: deepest, numbersFitDoubles };
}
