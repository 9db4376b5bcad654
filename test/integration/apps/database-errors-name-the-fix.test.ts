// What a newcomer sees when the database is not there, through the real commands: a missing
// database, a Postgres that does not answer or refuses the password. Each is ONE line at the
// default log level, naming the address from the configuration and what to run or set; no stack.
// Real Postgres (the shared one, and a private one that checks passwords), real Kafka; the closed
// port is a privileged one nobody listens on (closed-port.ts). Kafka's cases: errors-name-the-fix.test.ts.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { redact } from '../../../src/runtime/redact.ts';
import { withDatabase } from '../../../src/runtime/postgres-url.ts';
import {
  startPrivatePostgres,
  type PrivatePostgres,
} from '../../faults/support/private-postgres.ts';
import { logLines } from '../../support/log-lines.ts';
import { runScript } from '../../support/run-script.ts';
import { waitUntil } from '../../support/wait-until.ts';

import { errorCaseSetting, expectOneLine, migrate, quiet, runToExit } from './error-lines.ts';

describe('errors that name the fix: the database', function () {
  this.timeout(180_000);
  const { id, kafka, scratchUrl, downPort } = errorCaseSetting();
  const address = () => {
    const url = new URL(scratchUrl());
    return `${url.hostname}:${url.port || '5432'}`;
  };

  describe('a database that does not exist', () => {
    const missing = () => withDatabase(scratchUrl(), `missing_${id}`);

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
    const closed = () => `postgres://postgres@127.0.0.1:${downPort()}/coding_task`;

    it('stops db:migrate with one line', async () => {
      expectOneLine(
        await migrate({ DATABASE_URL: closed(), MIGRATIONS_DATABASE_URL: '' }),
        'DATABASE_UNREACHABLE',
        `no Postgres answers on 127.0.0.1:${downPort()} (ECONNREFUSED): run \`npm run stack:up\` (starts the local one) or set DATABASE_URL`,
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
          `no Postgres answers on 127.0.0.1:${downPort()} (ECONNREFUSED): run \`npm run stack:up\` (starts the local one) or set DATABASE_URL; waiting for it`,
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

  it('db:migrate reads only what it needs: a bad unrelated setting does not stop it', async () => {
    const { code, lines } = await migrate({
      MIGRATIONS_DATABASE_URL: scratchUrl(),
      HTTP_PORT: 'abc',
      KAFKA_BROKERS: 'not a broker list',
    });
    expect(code, JSON.stringify(lines)).to.equal(0);
    expect(lines.map((line) => line.message)).to.deep.equal(['migrations already up to date']);
  });
});
