// The deliberate bugs of `npm run test:mutants` stay runnable: every patch applies to today's code
// and the runner lists it. Without this, a refactoring leaves a patch behind silently (five of
// them no longer applied after the edge classifiers and the write budget moved their lines), and
// the guarantee it proves is proved by nothing until someone runs the slow runner.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const root = join(import.meta.dirname, '..', '..', '..');
const mutantsDir = join(root, 'test', 'mutants');

describe('the mutant patches', () => {
  it('each apply to the code as it is, and the runner runs each', async () => {
    const patches = (await readdir(mutantsDir)).filter((name) => name.endsWith('.patch'));
    const runner = await readFile(join(mutantsDir, 'run-mutants.ts'), 'utf8');
    expect(patches).to.have.length.above(10);
    const stale: string[] = [];
    for (const patch of patches) {
      await promisify(execFile)('git', ['apply', '--check', join(mutantsDir, patch)], {
        cwd: root,
      }).catch(() => stale.push(patch));
    }
    expect(stale, 'patches that no longer apply (refresh them)').to.deep.equal([]);
    expect(
      patches.filter((patch) => !runner.includes(`'${patch}'`)),
      'patches the runner does not list',
    ).to.deep.equal([]);
  });
});
