// `npm run test:mutants`: the deliberate bugs of issue 14, each applied in turn, with the test file
// that must catch it. A mutant is killed when that test fails; the time is what the failure took.
// Each patch is reverted whatever happens, so the work tree is left as it was. Slow (real Kafka and
// Postgres) and not part of `npm test`: run it after changing a guarantee or the test that guards it.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const integration = ['--require', 'test/integration/hooks.ts', '--timeout', '120000'];

const mutants = [
  {
    patch: 'commit-before-store.patch',
    bug: 'offset resolved and committed before the batch is stored',
    mocha: [...integration, 'test/integration/consumer/offsets-follow-storage.test.ts'],
  },
  {
    patch: 'two-transactions.patch',
    bug: 'product_events and shipping_addresses written in two transactions',
    mocha: [...integration, 'test/integration/consumer/one-transaction-per-batch.test.ts'],
  },
  {
    patch: 'exit-at-once.patch',
    bug: 'process.exit(0) on SIGTERM without finishing the batch in flight',
    mocha: [...integration, 'test/integration/consumer/clean-stop.test.ts'],
  },
  {
    patch: 'every-error-transient.patch',
    bug: 'every error classified transient (the unit suite must fail and end)',
    mocha: [
      'test/unit/runtime/retry-transient.test.ts',
      'test/unit/domain/errors/classify-error.test.ts',
    ],
  },
  {
    patch: 'address-write-retried-for-ever.patch',
    bug: 'the address write always fails for a passing reason (the suite must fail and end)',
    mocha: [...integration, 'test/integration/consumer/pipeline.test.ts'],
  },
];

const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'pipe' });

function runMocha(args: string[]): Promise<number | null> {
  const mocha = join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
  const child = spawn(process.execPath, [mocha, ...args], { cwd: root, stdio: 'ignore' });
  // A test that hangs is a survivor too: ten minutes is far beyond any of these files.
  const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    }),
  );
}

const results = [];
for (const mutant of mutants) {
  const patch = join(import.meta.dirname, mutant.patch);
  try {
    git('apply', '--check', patch);
  } catch {
    results.push({ mutant: mutant.patch, outcome: 'does not apply: refresh the patch' });
    continue;
  }
  git('apply', patch);
  const startedAt = performance.now();
  try {
    const code = await runMocha(mutant.mocha);
    const seconds = Math.round((performance.now() - startedAt) / 100) / 10;
    results.push({ mutant: mutant.patch, outcome: code === 0 ? 'SURVIVED' : 'killed', seconds });
  } finally {
    git('apply', '-R', patch);
  }
}
console.table(results);
process.exitCode = results.every((result) => result.outcome === 'killed') ? 0 : 1;
