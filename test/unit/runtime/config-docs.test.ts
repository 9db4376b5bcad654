// The README's configuration table and .env.example are where users look up a setting: both must
// name exactly the variables the config loader reads, with its defaults.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { defaults } from '../../../src/runtime/config.ts';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8');

/** `| \`NAME\` | \`default\` | meaning |` rows of the README's Configuration section. */
function readmeTable(): Map<string, string> {
  const section = read('README.md').split('\n## Configuration')[1]?.split('\n## ')[0] ?? '';
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return new Map(
    rows.map((line) => {
      const [name = '', value = ''] = line.split('|').slice(1, 3);
      return [name.trim().replaceAll('`', ''), value.trim().replaceAll('`', '')];
    }),
  );
}

/** NAME=value lines of .env.example (comments aside). */
function envExample(): Map<string, string> {
  const lines = read('.env.example')
    .split('\n')
    .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line));
  return new Map(
    lines.map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)];
    }),
  );
}

describe('the configuration documentation', () => {
  const keys = Object.keys(defaults).sort();

  it('the README table names exactly the variables the loader reads', () => {
    expect([...readmeTable().keys()].sort()).to.deep.equal(keys);
  });

  it('.env.example names exactly the variables the loader reads', () => {
    expect([...envExample().keys()].sort()).to.deep.equal(keys);
  });

  for (const [name, value] of Object.entries(defaults)) {
    it(`gives ${name}'s default as the loader does`, () => {
      expect(readmeTable().get(name), 'README').to.equal(value);
      expect(envExample().get(name), '.env.example').to.equal(value);
    });
  }
});
