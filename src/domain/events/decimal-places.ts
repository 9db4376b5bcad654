// JSON numbers are doubles, so "at most two decimals" cannot be checked with multipleOf: 0.01
// (129.99 / 0.01 is 12998.999999999998). The shortest round-trip text of a number, which is what
// the producer wrote, tells its decimals exactly.
export function decimalPlaces(value: number): number {
  const [mantissa = '', exponent = '0'] = String(value).split('e');
  const fraction = mantissa.split('.')[1] ?? '';
  return Math.max(0, fraction.length - Number(exponent));
}
