// The error-code table (docs/operations.md, linked from the README) is documentation users act
// on: it must list exactly the codes the service reports, with the same words.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { errorCodes } from '../../../../src/domain/errors/error-codes.ts';

const doc = readFileSync(
  join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'operations.md'),
  'utf8',
);

function readmeErrorTable(): Map<string, { description: string; howToSolve: string }> {
  const section = doc.split('## Error codes')[1]?.split('\n## ')[0] ?? '';
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return new Map(
    rows.map((line) => {
      const [code = '', description = '', howToSolve = ''] = line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim());
      return [code.replaceAll('`', ''), { description, howToSolve }];
    }),
  );
}

describe('the error-code table of docs/operations.md', () => {
  const table = readmeErrorTable();

  it('lists exactly the codes of src/domain/errors/error-codes.ts', () => {
    expect([...table.keys()].sort()).to.deep.equal(Object.keys(errorCodes).sort());
  });

  for (const [code, info] of Object.entries(errorCodes)) {
    it(`describes ${code} in the same words as the code`, () => {
      expect(table.get(code)).to.deep.equal({
        description: info.description,
        howToSolve: info.howToSolve,
      });
    });
  }
});
