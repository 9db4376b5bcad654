import { expect } from 'chai';
import { nestingDepth } from '../../../../src/domain/events/validators.ts';

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
