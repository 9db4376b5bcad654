// What a newcomer sees when something is not there, through the real commands: a missing
// database, a Postgres that does not answer or refuses the password, a Kafka that does not answer,
// a missing topic. Each is ONE line at the default log level, naming the address from the
// configuration and what to run or set; no stack. Real Postgres (the shared one, and a private one
// that checks passwords), real Kafka; the closed ports are free ports nobody listens on.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { redact } from '../../../src/runtime/redact.ts';
import { withDatabase } from '../../../src/runtime/postgres-url.ts';
import {
  startPrivatePostgres,
  type PrivatePostgres,
} from '../../faults/support/private-postgres.ts';
import { freePort } from '../../../stack/free-port.ts';
import { logLines, type LogLine } from '../../support/log-lines.ts';
import { runNpmScript } from '../../support/run-npm-script.ts';
import { runScript } from '../../support/run-script.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratch-database.ts';
import { testServices } from '../../support/services.ts';
import { waitUntil } from '../../support/wait-until.ts';

const quiet = { LOG_FORMAT: 'json', LOG_LEVEL: 'info' };

/** Runs a command to its exit (150 s at most: a loaded machine is slow) and reads its lines. */
async function runToExit(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; lines: LogLine[] }> {
  const started = runScript(script, args, { ...quiet, ...env });
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 150_000);
  const code = await started.exited;
  clearTimeout(timer);
  return { code, lines: logLines(started.output()) };
}

async function migrate(env: Record<string, string>) {
  const { code, output } = await runNpmScript('db:migrate', { ...quiet, ...env });
  return { code, lines: logLines(output) };
}

/** Exactly one line: an error with this code and message (as the logger's redactor passes it). */
function expectOneLine(
  { code, lines }: { code: number | null; lines: LogLine[] },
  errorCode: string,
  message: string,
) {
  expect(lines, JSON.stringify(lines, null, 1)).to.have.length(1);
  expect(lines[0]).to.deep.include({ level: 'error', code: errorCode, message: redact(message) });
  expect(lines[0]).to.not.have.property('err');
  expect(code).to.equal(1);
}

describe('errors that name the fix', function () {
  this.timeout(180_000);
  let services: Awaited<ReturnType<typeof testServices>>;
  let scratch: ScratchDatabase;
  let closedPort: number;
  const id = randomBytes(4).toString('hex');

  before(async () => {
    services = await testServices();
    scratch = await createScratchDatabase(services.databaseUrl);
    await scratch.db.migrate.latest();
    closedPort = await freePort();
  });
  after(async () => {
    await scratch.drop();
  });

  const kafka = () => ({
    DATABASE_URL: scratch.url,
    KAFKA_BROKERS: services.kafkaBrokers.join(','),
    KAFKA_TOPIC: `it-missing-${id}`,
    KAFKA_DLQ_TOPIC: `it-missing-${id}.dlq`,
    KAFKA_GROUP_ID: `it-missing-${id}`,
  });
  const brokers = () => services.kafkaBrokers.join(',');
  const address = () => {
    const url = new URL(scratch.url);
    return `${url.hostname}:${url.port || '5432'}`;
  };

  describe('a database that does not exist', () => {
    const missing = () => withDatabase(scratch.url, `missing_${id}`);

    it('stops the consumer with one line', async () => {
      expectOneLine(
        await runToExit('src/apps/consumer/main.ts', [], { ...kafka(), DATABASE_URL: missing() }),
        'DATABASE_MISSING',
        `database missing_${id} does not exist on ${address()}: run \`npm run stack:up\` (creates it) or set DATABASE_URL`,
      );
    });

    it('stops db:migrate with one line naming the migrations variable', async () => {
      expectOneLine(
        await migrate({ MIGRATIONS_DATABASE_URL: missing() }),
        'DATABASE_MISSING',
        `database missing_${id} does not exist on ${address()}: run \`npm run stack:up\` (creates it) or set MIGRATIONS_DATABASE_URL`,
      );
    });

    it('stops replay with one line', async () => {
      expectOneLine(
        await runToExit('src/apps/replay/main.ts', ['--from', '0:0'], {
          ...kafka(),
          DATABASE_URL: missing(),
        }),
        'DATABASE_MISSING',
        `database missing_${id} does not exist on ${address()}: run \`npm run stack:up\` (creates it) or set DATABASE_URL`,
      );
    });
  });

  describe('a Postgres that does not answer', () => {
    const closed = () => `postgres://postgres@127.0.0.1:${closedPort}/coding_task`;

    it('stops db:migrate with one line', async () => {
      expectOneLine(
        await migrate({ DATABASE_URL: closed(), MIGRATIONS_DATABASE_URL: '' }),
        'DATABASE_UNREACHABLE',
        `no Postgres answers on 127.0.0.1:${closedPort} (ECONNREFUSED): run \`npm run stack:up\` (starts the local one) or set DATABASE_URL`,
      );
    });

    it('makes the consumer say so once and wait for it, retrying quietly', async () => {
      const consumer = runScript('src/apps/consumer/main.ts', [], {
        ...quiet,
        ...kafka(),
        DATABASE_URL: closed(),
      });
      try {
        await waitUntil('the first line', () => Promise.resolve(consumer.output() !== ''));
        // Longer than the retries' longest pause (3 s): a line per retry would show by now.
        await sleep(5_000);
      } finally {
        consumer.child.kill('SIGKILL');
        await consumer.exited;
      }
      const lines = logLines(consumer.output());
      expect(lines, consumer.output()).to.have.length(1);
      expect(lines[0]).to.deep.include({
        level: 'warn',
        code: 'DATABASE_UNREACHABLE',
        message: redact(
          `no Postgres answers on 127.0.0.1:${closedPort} (ECONNREFUSED): run \`npm run stack:up\` (starts the local one) or set DATABASE_URL; waiting for it`,
        ),
      });
    });
  });

  describe('a Postgres that refuses the password', () => {
    let server: PrivatePostgres;
    const password = `Right-${randomBytes(6).toString('hex')}`;
    const wrong = `Wrong-${randomBytes(6).toString('hex')}`;
    const wrongUrl = () => {
      const url = new URL(server.url);
      url.password = wrong;
      return url.toString();
    };
    const port = () => new URL(server.url).port;

    before(async () => {
      server = await startPrivatePostgres({ password });
    });
    after(async () => {
      await server.destroy();
    });

    it('stops db:migrate with one line, never the password', async () => {
      const result = await migrate({ MIGRATIONS_DATABASE_URL: wrongUrl() });
      expectOneLine(
        result,
        'DATABASE_AUTH_FAILED',
        `Postgres on 127.0.0.1:${port()} refused role postgres (password authentication failed for user "postgres"): set the right role and password in MIGRATIONS_DATABASE_URL`,
      );
      expect(JSON.stringify(result.lines)).to.not.include(wrong);
    });

    it('stops the consumer with one line', async () => {
      expectOneLine(
        await runToExit('src/apps/consumer/main.ts', [], { ...kafka(), DATABASE_URL: wrongUrl() }),
        'DATABASE_AUTH_FAILED',
        `Postgres on 127.0.0.1:${port()} refused role postgres (password authentication failed for user "postgres"): set the right role and password in DATABASE_URL`,
      );
    });
  });

  describe('a Kafka that does not answer', () => {
    const down = () => ({ ...kafka(), KAFKA_BROKERS: `127.0.0.1:${closedPort}` });
    const line = () =>
      `no Kafka broker answers on 127.0.0.1:${closedPort} (ECONNREFUSED): run \`npm run stack:up\` (starts the local one) or set KAFKA_BROKERS`;

    it('stops the consumer with one line', async () => {
      expectOneLine(
        await runToExit('src/apps/consumer/main.ts', [], down()),
        'KAFKA_UNREACHABLE',
        line(),
      );
    });

    it('stops the producer with one line', async () => {
      expectOneLine(
        await runToExit('src/apps/producer/main.ts', [], down()),
        'KAFKA_UNREACHABLE',
        line(),
      );
    });
  });

  describe('a topic that does not exist', () => {
    const line = (topic: string, variable: string) =>
      `topic ${topic} does not exist on ${brokers()}: run \`npm run stack:up\` (creates it) or set ${variable}`;

    it('stops the consumer with one line', async () => {
      expectOneLine(
        await runToExit('src/apps/consumer/main.ts', [], kafka()),
        'KAFKA_TOPIC_MISSING',
        line(`it-missing-${id}`, 'KAFKA_TOPIC'),
      );
    });

    it('stops the producer with one line', async () => {
      expectOneLine(
        await runToExit('src/apps/producer/main.ts', [], kafka()),
        'KAFKA_TOPIC_MISSING',
        line(`it-missing-${id}`, 'KAFKA_TOPIC'),
      );
    });

    it('stops replay with one line', async () => {
      expectOneLine(
        await runToExit('src/apps/replay/main.ts', ['--from', '0:0'], kafka()),
        'KAFKA_TOPIC_MISSING',
        line(`it-missing-${id}`, 'KAFKA_TOPIC'),
      );
    });

    it('stops dlq:redrive with one line naming KAFKA_DLQ_TOPIC', async () => {
      expectOneLine(
        await runToExit('src/apps/redrive/main.ts', [], kafka()),
        'KAFKA_TOPIC_MISSING',
        line(`it-missing-${id}.dlq`, 'KAFKA_DLQ_TOPIC'),
      );
    });
  });

  it('db:migrate reads only what it needs: a bad unrelated setting does not stop it', async () => {
    const { code, lines } = await migrate({
      MIGRATIONS_DATABASE_URL: scratch.url,
      HTTP_PORT: 'abc',
      KAFKA_BROKERS: 'not a broker list',
    });
    expect(code, JSON.stringify(lines)).to.equal(0);
    expect(lines.map((line) => line.message)).to.deep.equal(['migrations already up to date']);
  });
});
