import { expect } from 'chai';
import fc from 'fast-check';
import { copyField, copyJsonField } from '../../../src/storage/copy-text.ts';

/** COPY's own reading of a text field (the backslash sequences we write), to check the inverse. */
function readCopyField(field: string): string | null {
  if (field === '\\N') return null;
  const named: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\' };
  return field.replace(/\\(.)/g, (_, c: string) => named[c] ?? c);
}

describe('copyField (COPY text format)', () => {
  it('writes NULL as \\N, and a text that reads \\N as itself', () => {
    expect(copyField(null)).to.equal('\\N');
    expect(copyField(undefined)).to.equal('\\N');
    expect(copyField('\\N')).to.equal('\\\\N');
  });

  it('escapes backslash, newline, carriage return and tab, and nothing else', () => {
    expect(copyField('a\\b\nc\rd\te')).to.equal('a\\\\b\\nc\\rd\\te');
    expect(copyField('Kaffeemühle "Deluxe" 東京 😀 \\.')).to.equal(
      'Kaffeemühle "Deluxe" 東京 😀 \\\\.',
    );
    expect(copyField('')).to.equal('');
  });

  it('writes numbers as JSON.stringify does', () => {
    for (const n of [0, -0, 129.99, 20, 1e21, 5e-7, 2_147_483_647, 99_999_999.99])
      expect(copyField(n)).to.equal(JSON.stringify(n));
  });

  it('writes any text as one field that COPY reads back as the same text', () => {
    const unit = fc.oneof(
      fc.constantFrom('\\', '\t', '\n', '\r', 'N', '.', 'é', '東', '😀'),
      fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
    );
    fc.assert(
      fc.property(fc.string({ unit }), (text) => {
        const field = copyField(text);
        expect(field).to.not.match(/[\t\n\r]/);
        expect(readCopyField(field)).to.equal(text);
      }),
    );
  });

  it('writes metadata as its JSON text, exact numbers verbatim, escaped for COPY', () => {
    const exact = JSON.parse('{"n":1}', (key, value: unknown, context?: { source: string }) =>
      key === 'n' && context !== undefined
        ? (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON('1.000000000000000000001')
        : value,
    ) as unknown;
    expect(copyJsonField(exact)).to.equal('{"n":1.000000000000000000001}');
    expect(copyJsonField({ note: 'tab\there', nul: 'a\u0000b' })).to.equal(
      '{"note":"tab\\\\there","nul":"a\\\\u0000b"}',
    );
    expect(copyJsonField(null)).to.equal('\\N');
  });
});
