import { expect } from 'chai';
import { decimalPlaces } from '../../../../src/domain/events/validators.ts';

describe('decimalPlaces', () => {
  const cases: [value: number, expected: number, description: string][] = [
    [0, 0, 'zero'],
    [1, 0, 'a whole number'],
    [-42, 0, 'a negative whole number'],
    [0.5, 1, 'one decimal'],
    [129.99, 2, 'cents, though 129.99 / 0.01 is not a whole number in floating point'],
    [-0.01, 2, 'negative cents'],
    [1.005, 3, 'three decimals'],
    [1e-7, 7, 'a small number JavaScript writes with an exponent'],
    [1.5e-7, 8, 'a small number with a mantissa fraction and an exponent'],
    [1e21, 0, 'a large number JavaScript writes with a positive exponent'],
    [1.5e21, 0, 'a large number with a mantissa fraction and a positive exponent'],
  ];

  for (const [value, expected, description] of cases) {
    it(`counts ${expected} decimal places in ${value} (${description})`, () => {
      expect(decimalPlaces(value)).to.equal(expected);
    });
  }

  it('counts 17 decimal places in 0.1 + 0.2, far more than two', () => {
    expect(decimalPlaces(0.1 + 0.2)).to.equal(17);
  });
});
