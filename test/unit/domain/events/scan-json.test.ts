import { expect } from 'chai';
import fc from 'fast-check';
import { canonicalDecimal } from '../../../../src/domain/events/parse-exact-json.ts';
import { scanJson } from '../../../../src/domain/events/scan-json.ts';
import { nestingDepth } from '../../../../src/domain/events/validators.ts';
import { jsonNumberText } from '../../../support/event-arbitraries.ts';
import { propertyParameters } from '../../../support/property-runs.ts';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('scanJson', () => {
  it('lets a plain JSON.parse read a number only when it reads it exactly', () => {
    fc.assert(
      fc.property(jsonNumberText, (number) => {
        const { numbersFitDoubles } = scanJson(bytes(`{"n":[${number}]}`), 64);
        if (numbersFitDoubles) {
          const written = JSON.stringify(JSON.parse(number));
          expect(canonicalDecimal(written)).to.equal(canonicalDecimal(number));
        }
      }),
      propertyParameters(5_000),
    );
  });

  it('sends the numbers a double would change to the exact parser', () => {
    for (const number of ['1e400', '0.1000000000000000000001', '9007199254740993', '1E2']) {
      expect(scanJson(bytes(`[${number}]`), 64).numbersFitDoubles, number).to.equal(false);
    }
    expect(scanJson(bytes('{"price":129.99,"q":-2,"ok":true,"no":null}'), 64)).to.deep.equal({
      tooDeep: false,
      depth: 1,
      numbersFitDoubles: true,
    });
  });

  it('ignores digits, exponents and brackets inside strings', () => {
    const text = '{"note":"1e400 [[[[ 12345678901234567890 \\" ]]","price":1.5}';
    expect(scanJson(bytes(text), 1)).to.deep.equal({
      tooDeep: false,
      depth: 1,
      numbersFitDoubles: true,
    });
  });

  it('measures the depth JSON.parse would build, for any JSON', () => {
    fc.assert(
      fc.property(fc.json({ depthSize: 'medium' }), fc.integer({ min: 0, max: 8 }), (text, max) => {
        const depth = nestingDepth(JSON.parse(text));
        const scan = scanJson(bytes(text), max);
        expect(scan.tooDeep).to.equal(depth > max);
        if (!scan.tooDeep) expect(scan.depth).to.equal(depth);
      }),
      propertyParameters(2_000),
    );
  });
});
