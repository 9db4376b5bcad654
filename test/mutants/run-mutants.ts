// `npm run test:mutants [name …]`: the deliberate bugs of issues 14 and 23, each applied in turn
// (or only those whose patch name contains one of the names given), with the test file that must
// catch it. A mutant is killed when that test fails; the time is what the failure took.
// Each patch is reverted whatever happens, so the work tree is left as it was. Slow (real Kafka and
// Postgres) and not part of `npm test`: run it after changing a guarantee or the test that guards it.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const integration = ['--require', 'test/support/global-services.ts', '--timeout', '120000'];
const nearCopies = [...integration, 'test/integration/pipeline/near-copies.property.test.ts'];
const consumerPolicy = 'test/unit/apps/consumer/run-consumer.test.ts';

const mutants: {
  readonly patch: string;
  readonly bug: string;
  readonly mocha: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}[] = [
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
  {
    patch: 'same-event-ignores-metadata.patch',
    bug: 'metadata left out of the "same event" comparison',
    mocha: nearCopies,
  },
  {
    patch: 'same-event-ignores-tax-on-v2-rows.patch',
    bug: 'tax_amount left out of the comparison on rows a v2 consumer stored',
    mocha: nearCopies,
  },
  {
    patch: 'same-address-ignores-zip-code.patch',
    bug: 'zip_code left out of the address comparison',
    mocha: nearCopies,
  },
  {
    patch: 'address-fills-v2-rows.patch',
    bug: "a copy may add an address to a v2 consumer's row without one",
    mocha: [...integration, 'test/integration/pipeline/same-event.test.ts'],
  },
  {
    patch: 'bytes-counted-as-characters.patch',
    bug: 'EVENT_MAX_BYTES compared with the characters of the message',
    mocha: ['test/unit/domain/events/byte-limit.test.ts'],
  },
  {
    patch: 'commit-past-batch-end-kafkajs.patch',
    bug: 'kafkajs adapter commits one offset past the batch end',
    mocha: [...integration, 'test/integration/consumer/pipeline.test.ts'],
  },
  {
    patch: 'commit-past-batch-end-platformatic.patch',
    bug: 'platformatic adapter commits one offset past the batch end',
    mocha: [...integration, 'test/integration/consumer/pipeline.test.ts'],
    env: { KAFKA_CLIENT: 'platformatic' },
  },
  {
    patch: 'transient-errors-dead-lettered.patch',
    bug: 'a write failing for a passing reason is dead-lettered as the fault of the events',
    mocha: [...integration, 'test/integration/consumer/passing-failures.test.ts'],
  },
  // The policies' unit tests on the port in memory (`npm run test:mutants policy-`: seconds).
  {
    patch: 'policy-commit-before-store.patch',
    bug: "the consumer's handler commits before it settles the batch",
    mocha: [consumerPolicy],
  },
  {
    patch: 'policy-retry-settles-the-batch-again.patch',
    bug: 'a retry settles the whole batch again, not from the first slice not yet settled',
    mocha: [consumerPolicy],
  },
  {
    patch: 'policy-churn-called-fatal.patch',
    bug: 'group churn under a batch ends the process',
    mocha: [consumerPolicy],
  },
  {
    patch: 'policy-platformatic-commits-for-a-passed-generation.patch',
    bug: 'the platformatic adapter commits a batch whose generation has passed',
    mocha: ['test/unit/adapters/platformatic/handle-round.test.ts'],
  },
  {
    patch: 'policy-range-commits-when-stopped-mid-retry.patch',
    bug: 'replay and redrive commit a batch they stopped retrying',
    mocha: ['test/unit/apps/range-command.test.ts'],
  },
  {
    patch: 'producer-one-kafkajs-send-per-chunk.patch',
    bug: 'the kafkajs producer sends every partition of a chunk in one kafkajs send (kafkajs#1798)',
    mocha: ['test/unit/adapters/kafkajs/one-partition-per-send.test.ts'],
  },
  {
    patch: 'redelivery-counted-stored.patch',
    bug: 'an event found stored as the same event counted as stored again',
    mocha: [...integration, 'test/integration/pipeline/same-event.test.ts'],
  },
];
const only = process.argv.slice(2);
const selected = mutants.filter(
  (mutant) => only.length === 0 || only.some((name) => mutant.patch.includes(name)),
);

const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'pipe' });

function runMocha(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<number | null> {
  const mocha = join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
  const child = spawn(process.execPath, [mocha, ...args], {
    cwd: root,
    stdio: 'ignore',
    env: { ...process.env, ...env },
  });
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
for (const mutant of selected) {
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
    const code = await runMocha(mutant.mocha, mutant.env);
    const seconds = Math.round((performance.now() - startedAt) / 100) / 10;
    results.push({ mutant: mutant.patch, outcome: code === 0 ? 'SURVIVED' : 'killed', seconds });
  } finally {
    git('apply', '-R', patch);
  }
}
console.table(results);
process.exitCode = results.every((result) => result.outcome === 'killed') ? 0 : 1;
