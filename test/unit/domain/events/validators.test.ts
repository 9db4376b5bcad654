// The measures behind validators.ts's own keywords: maxDecimalPlaces and maxNestingDepth.
import { expect } from 'chai';
import { decimalPlaces, nestingDepth } from '../../../../src/domain/events/validators.ts';

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

const nested = (levels: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i += 1) value = { a: value };
  return value;
};

describe('nestingDepth', () => {
  it('is 0 for a plain value and 1 for a flat object or array', () => {
    expect(nestingDepth('text')).to.equal(0);
    expect(nestingDepth(null)).to.equal(0);
    expect(nestingDepth({ a: 1, b: 'x' })).to.equal(1);
    expect(nestingDepth([1, 2])).to.equal(1);
  });

  it('counts objects and arrays inside each other, taking the deepest branch', () => {
    expect(nestingDepth({ a: [{ b: 1 }], c: 2 })).to.equal(3);
  });

  it('measures 100 000 levels without overflowing the stack', () => {
    expect(nestingDepth(nested(100_000))).to.equal(100_000);
  });

  it('stops counting once past the limit it is given', () => {
    expect(nestingDepth(nested(100_000), 32)).to.equal(33);
  });
});
