import { expect } from 'chai';
import fc from 'fast-check';
import { CopyRows } from '../../../src/storage/copy-text.ts';

/** The COPY text of one row with the fields `write` adds, without its newline. */
function row(write: (rows: CopyRows) => CopyRows): string {
  const rows = new CopyRows();
  write(rows).endRow();
  const text = Buffer.concat(rows.buffers()).toString('utf8');
  expect(text.endsWith('\n')).to.be.true;
  return text.slice(0, -1);
}

/** COPY's own reading of a text field (the backslash sequences we write), to check the inverse. */
function readCopyField(field: string): string | null {
  if (field === '\\N') return null;
  const named: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\' };
  return field.replace(/\\(.)/g, (_, c: string) => named[c] ?? c);
}

describe('CopyRows (COPY text format)', () => {
  it('writes NULL as \\N, and a text that reads \\N as itself', () => {
    expect(row((r) => r.text(null).text(undefined).number(null).json(null))).to.equal(
      '\\N\t\\N\t\\N\t\\N',
    );
    expect(row((r) => r.text('\\N'))).to.equal('\\\\N');
  });

  it('escapes backslash, newline, carriage return and tab, and nothing else', () => {
    expect(row((r) => r.text('a\\b\nc\rd\te'))).to.equal('a\\\\b\\nc\\rd\\te');
    expect(row((r) => r.text('"Deluxe" \\. ,;\u007f'))).to.equal('"Deluxe" \\\\. ,;\u007f');
    expect(row((r) => r.text(''))).to.equal('');
  });

  it('escapes them after a non-ASCII character too, and writes that character as UTF-8', () => {
    expect(row((r) => r.text('Kaffeemühle\t\\東京😀\n'))).to.equal('Kaffeemühle\\t\\\\東京😀\\n');
  });

  it('writes numbers as JSON.stringify does', () => {
    for (const n of [0, -0, 129.99, 20, 1e21, 5e-7, 2_147_483_647, 99_999_999.99])
      expect(row((r) => r.number(n))).to.equal(JSON.stringify(n));
  });

  it('separates fields by tabs and rows by newlines', () => {
    const rows = new CopyRows();
    rows.number(0).text('a').endRow();
    rows.number(1).text(null).endRow();
    expect(Buffer.concat(rows.buffers()).toString()).to.equal('0\ta\n1\t\\N\n');
    expect(new CopyRows().buffers()).to.deep.equal([]);
  });

  it('writes rows larger than its buffers across several, in order', () => {
    const long = `${'x'.repeat(70_000)}é\t${'y'.repeat(200_000)}`;
    const rows = new CopyRows();
    for (let i = 0; i < 3; i++) rows.number(i).text(long).endRow();
    const buffers = rows.buffers();
    expect(buffers.length).to.be.greaterThan(1);
    const line = `${long.replace('\t', '\\t')}\n`;
    expect(Buffer.concat(buffers).toString()).to.equal(`0\t${line}1\t${line}2\t${line}`);
  });

  it('writes any text as one field that COPY reads back as the same text', () => {
    const unit = fc.oneof(
      fc.constantFrom('\\', '\t', '\n', '\r', 'N', '.', 'é', '東', '😀'),
      fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
    );
    fc.assert(
      fc.property(fc.string({ unit }), (text) => {
        const field = row((r) => r.text(text));
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
    expect(row((r) => r.json(exact))).to.equal('{"n":1.000000000000000000001}');
    expect(row((r) => r.json({ note: 'tab\there', nul: 'a\u0000b' }))).to.equal(
      '{"note":"tab\\\\there","nul":"a\\\\u0000b"}',
    );
  });
});
