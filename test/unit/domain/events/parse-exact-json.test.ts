import { expect } from 'chai';
import fc from 'fast-check';
import {
  canonicalDecimal,
  isRawJsonNumber,
  parseExactJson,
} from '../../../../src/domain/events/parse-exact-json.ts';
import { jsonNumberText } from '../../../support/event-arbitraries.ts';
import { propertyParameters } from '../../../support/property-runs.ts';

describe('parseExactJson', () => {
  it('keeps as a number every value a double holds as written', () => {
    expect(parseExactJson('{"a":[129.99,1.50,-0,1e2,5e-324,9007199254740991]}')).to.deep.equal({
      a: [129.99, 1.5, -0, 100, 5e-324, 9007199254740991],
    });
  });

  it('keeps the text of numbers a double would change', () => {
    const parsed = parseExactJson(
      '[0.1000000000000000000001,1e400,1e-400,9007199254740993,123456789.123456789123]',
    );
    expect(JSON.stringify(parsed)).to.equal(
      '[0.1000000000000000000001,1e400,1e-400,9007199254740993,123456789.123456789123]',
    );
    expect((parsed as unknown[]).every(isRawJsonNumber)).to.equal(true);
  });

  it('parses a 130 000-element array without overflowing the stack', () => {
    const text = `{"items":[${new Array(130_000).fill('0').join(',')}]}`;
    expect((parseExactJson(text) as { items: unknown[] }).items).to.have.length(130_000);
  });

  it('writes back, for any JSON number, text that denotes the same decimal', () => {
    fc.assert(
      fc.property(jsonNumberText, (text) => {
        const written = JSON.stringify(parseExactJson(text));
        expect(canonicalDecimal(written)).to.equal(canonicalDecimal(text));
      }),
      propertyParameters(2_000),
    );
  });

  it('gives back a plain number for the text of any double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const parsed = parseExactJson(JSON.stringify(value));
        expect(parsed).to.be.a('number');
        expect(parsed === value || (parsed === 0 && value === 0)).to.equal(true);
      }),
      propertyParameters(2_000),
    );
  });
});

describe('canonicalDecimal', () => {
  const cases: [string, string][] = [
    ['0', '0'],
    ['-0', '0'],
    ['0.000e5', '0'],
    ['1.50', '15e-1'],
    ['1.5', '15e-1'],
    ['100', '1e2'],
    ['1E+2', '1e2'],
    ['0.001', '1e-3'],
    ['12.0000000000000001', '120000000000000001e-16'],
  ];
  for (const [text, canonical] of cases) {
    it(`writes ${text} as ${canonical}`, () => expect(canonicalDecimal(text)).to.equal(canonical));
  }
});
