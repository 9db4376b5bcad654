// `node test/run-suites.ts <npm script>...`: runs the given npm scripts at once and fails if any
// fails. `npm test` uses it for the suites that mostly wait on brokers, databases and timeouts
// (integration on each Kafka client, faults): they share no topic, group or database, so running
// them side by side costs little more than the longest. Each line is prefixed with its script's
// name; each script's own summary (mocha's passing/failing) closes its lines, and a last line
// per script says how it ended and how long it took. The shared Postgres and Kafka are chosen,
// and started if need be, once, here: suites that each started the local stack would race for its
// ports, and the first to finish would stop it under the others. Started here, the local stack is
// found answering by every suite (and stopped here); containers are handed to them as
// DATABASE_URL and KAFKA_BROKERS.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { stopTestServices, testServices } from './support/services.ts';

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  process.stderr.write('usage: node test/run-suites.ts <npm script>...\n');
  process.exit(2);
}
const width = Math.max(...scripts.map((script) => script.length));
const services = await testServices();
const env =
  services.source === 'testcontainers'
    ? {
        ...process.env,
        DATABASE_URL: services.databaseUrl,
        KAFKA_BROKERS: services.kafkaBrokers.join(','),
      }
    : process.env;

function run(script: string): Promise<{ script: string; code: number; seconds: number }> {
  const startedAt = performance.now();
  const prefix = `[${script.padEnd(width)}] `;
  const child = spawn('npm', ['run', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
    shell: process.platform === 'win32',
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      process.stdout.write(`${prefix}${line}\n`);
    });
  }
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      resolve({
        script,
        code: code ?? (signal === null ? 1 : 128),
        seconds: Math.round((performance.now() - startedAt) / 1000),
      });
    });
  });
}

const results = await Promise.all(scripts.map(run));
await stopTestServices();
for (const { script, code, seconds } of results) {
  process.stdout.write(
    `${script}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds} s\n`,
  );
}
process.exit(results.every(({ code }) => code === 0) ? 0 : 1);
