// `node test/run-suites.ts <npm script>...`: runs the given npm scripts at once and fails if any
// fails. `npm test` uses it for the suites that mostly wait on brokers, databases and timeouts
// (integration on each Kafka client, faults): they share no topic, group or database, so running
// them side by side costs little more than the longest. Each line is prefixed with its script's
// name; each script's own summary (mocha's passing/failing) closes its lines, and a last line
// per script says how it ended and how long it took. Above those last lines, each failed script's
// failures are printed again (mocha's failing blocks, or its last lines when it has none): a CI log
// is often read from its end only, and under `c8` the coverage table would bury them. Run from
// another run-suites (`test:covered` is), it leaves that reprint to the outer one. The shared
// Postgres and Kafka are chosen, and started if need be, once, here: suites that each started the
// local stack would race for its ports, and the first to finish would stop it under the others.
// Started here, the local stack is found answering by every suite (and stopped here); containers
// are handed to them as DATABASE_URL and KAFKA_BROKERS.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { failureRecorder } from './support/failure-recorder.ts';
import { stopTestServices, testServices } from './support/services.ts';

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  process.stderr.write('usage: node test/run-suites.ts <npm script>...\n');
  process.exit(2);
}
const width = Math.max(...scripts.map((script) => script.length));
const nested = process.env.RUN_SUITES_NESTED === '1';
const services = await testServices();
const env = {
  ...process.env,
  RUN_SUITES_NESTED: '1',
  ...(services.source === 'testcontainers'
    ? { DATABASE_URL: services.databaseUrl, KAFKA_BROKERS: services.kafkaBrokers.join(',') }
    : {}),
};

interface SuiteResult {
  readonly script: string;
  readonly code: number;
  readonly seconds: number;
  /** Mocha's failing blocks and nested suites' FAILED lines, else the script's last lines. */
  readonly failures: readonly string[];
}

function run(script: string): Promise<SuiteResult> {
  const startedAt = performance.now();
  const prefix = `[${script.padEnd(width)}] `;
  const recorder = failureRecorder();
  const child = spawn('npm', ['run', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
    shell: process.platform === 'win32',
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      process.stdout.write(`${prefix}${line}\n`);
      recorder.see(line);
    });
  }
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      resolve({
        script,
        code: code ?? (signal === null ? 1 : 128),
        seconds: Math.round((performance.now() - startedAt) / 1000),
        failures: recorder.failures(),
      });
    });
  });
}

const results = await Promise.all(scripts.map(run));
await stopTestServices();
for (const { script, code, failures } of results) {
  if (code === 0 || nested) continue;
  process.stdout.write(`\n--- why ${script} failed (its failing tests, or its last lines) ---\n`);
  for (const line of failures) process.stdout.write(`${line}\n`);
}
for (const { script, code, seconds } of results) {
  process.stdout.write(
    `${script}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds} s\n`,
  );
}
process.exit(results.every(({ code }) => code === 0) ? 0 : 1);
