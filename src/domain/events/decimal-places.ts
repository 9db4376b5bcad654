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
