import { expect } from 'chai';
import { canonicalJson } from '../../../src/events/canonical-json.ts';

describe('canonicalJson', () => {
  it('writes object keys in sorted order', () => {
    expect(canonicalJson({ b: 2, a: 1, c: 3 })).to.equal('{"a":1,"b":2,"c":3}');
  });

  it('gives the same text for objects that differ only in key order', () => {
    expect(canonicalJson({ a: 1, b: 'two' })).to.equal(canonicalJson({ b: 'two', a: 1 }));
  });

  it('sorts the keys of nested objects too', () => {
    const first = { event: { metadata: { source: 'web', sessionId: 's1' }, price: 1 } };
    const second = { event: { price: 1, metadata: { sessionId: 's1', source: 'web' } } };
    expect(canonicalJson(first)).to.equal(canonicalJson(second));
    expect(canonicalJson(first)).to.equal(
      '{"event":{"metadata":{"sessionId":"s1","source":"web"},"price":1}}',
    );
  });

  it('keeps the order of array elements', () => {
    expect(canonicalJson([3, 1, 2])).to.equal('[3,1,2]');
    expect(canonicalJson([1, 2])).to.not.equal(canonicalJson([2, 1]));
  });

  it('sorts the keys of objects inside arrays, keeping the elements in place', () => {
    expect(
      canonicalJson([
        { b: 1, a: 2 },
        { d: 3, c: 4 },
      ]),
    ).to.equal('[{"a":2,"b":1},{"c":4,"d":3}]');
  });

  it('tells apart objects whose values differ', () => {
    expect(canonicalJson({ a: 1, b: 2 })).to.not.equal(canonicalJson({ a: 1, b: 3 }));
  });

  it('writes null and primitives as JSON.stringify does', () => {
    expect(canonicalJson(null)).to.equal('null');
    expect(canonicalJson('text')).to.equal('"text"');
    expect(canonicalJson(129.99)).to.equal('129.99');
    expect(canonicalJson({ a: null })).to.equal('{"a":null}');
  });

  it('leaves out undefined properties, as JSON does', () => {
    expect(canonicalJson({ a: 1, b: undefined })).to.equal(canonicalJson({ a: 1 }));
  });

  it('keeps an own __proto__ key from parsed JSON, so it still counts as content', () => {
    const withProto: unknown = JSON.parse('{"b":1,"__proto__":{"x":1}}');
    const withOtherProto: unknown = JSON.parse('{"b":1,"__proto__":{"x":2}}');
    expect(canonicalJson(withProto)).to.equal('{"__proto__":{"x":1},"b":1}');
    expect(canonicalJson(withProto)).to.not.equal(canonicalJson(withOtherProto));
  });
});
