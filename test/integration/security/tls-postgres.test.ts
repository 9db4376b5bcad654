// Into a Postgres that takes TLS only: the migrations and the consumer connect with
// sslmode=verify-full, the CA file and the password from a file; a CA that did not sign the
// server's certificate is one line (DATABASE_TLS_FAILED) and a non-zero exit; the password is in
// no output.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { readConfig } from '../../../src/runtime/config.ts';
import { connectDatabase } from '../../../src/storage/connection.ts';
import { exitWithin } from '../../support/consumer-process.ts';
import { testLogger } from '../../support/pipeline-harness.ts';
import { runScript } from '../../support/run-script.ts';
import { testServices } from '../../support/services.ts';
import { startTlsPostgres, type TlsPostgres } from '../../support/tls-postgres.ts';
import { ensureReadyTopics } from '../../support/topics-ready.ts';
import { waitUntil } from '../../support/wait-until.ts';

const client = process.env['KAFKA_CLIENT'] === 'platformatic' ? 'platformatic' : 'kafkajs';

describe(`Postgres behind TLS only, verify-full and a password file (${client})`, function () {
  this.timeout(180_000);
  let pg: TlsPostgres;
  let kafkaBrokers: readonly string[];
  const verifyFull = (caFile: string) =>
    `postgres://postgres@localhost:${pg.port}/postgres?sslmode=verify-full&sslrootcert=${caFile}`;

  before(async () => {
    [pg, { kafkaBrokers }] = await Promise.all([startTlsPostgres(), testServices()]);
  });
  after(async () => {
    await pg?.destroy();
  });

  it('migrates and stores events through sslmode=verify-full, the password read from a file', async () => {
    const id = randomBytes(4).toString('hex');
    const env = {
      DATABASE_URL: verifyFull(pg.caFile),
      DATABASE_PASSWORD_FILE: pg.passwordFile,
      KAFKA_BROKERS: kafkaBrokers.join(','),
      KAFKA_TOPIC: `pg-tls-${id}`,
      KAFKA_DLQ_TOPIC: `pg-tls-${id}.dlq`,
      KAFKA_GROUP_ID: `pg-tls-${id}`,
      KAFKA_CLIENT: client,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    };
    await ensureReadyTopics(readConfig(env), [
      { topic: env.KAFKA_TOPIC, numPartitions: 1 },
      { topic: env.KAFKA_DLQ_TOPIC, numPartitions: 1 },
    ]);
    const migrate = runScript('stack/postgres/migrate.ts', [], env);
    expect(await migrate.exited, migrate.output()).to.equal(0);
    const producer = runScript('src/apps/producer/main.ts', ['--count', '3'], env);
    expect(await producer.exited, producer.output()).to.equal(0);
    const consumer = runScript('src/apps/consumer/main.ts', [], env);
    const db = connectDatabase(readConfig(env).database, 1);
    try {
      await waitUntil(
        '3 events stored',
        async () => {
          if (consumer.child.exitCode !== null) throw new Error(consumer.output());
          const [row] = await db('product_events').count<{ count: string }[]>({ count: '*' });
          return Number(row?.count) >= 3;
        },
        90_000,
        250,
      );
    } finally {
      consumer.child.kill('SIGTERM');
      await consumer.exited;
      await db.destroy();
    }
    const output = migrate.output() + producer.output() + consumer.output();
    expect(output).not.to.include(pg.password);
  });

  it('refuses a server certificate the CA file did not sign, in one line', async () => {
    const consumer = runScript('src/apps/consumer/main.ts', [], {
      DATABASE_URL: verifyFull(pg.untrustedCaFile),
      DATABASE_PASSWORD_FILE: pg.passwordFile,
      KAFKA_BROKERS: kafkaBrokers.join(','),
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    });
    const code = await exitWithin(consumer, 60_000);
    if (code === 'still running') consumer.child.kill('SIGKILL');
    const lines = consumer
      .output()
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(code, consumer.output()).to.equal(1);
    expect(lines, lines.join('\n')).to.have.length(1);
    expect(lines[0]).to.include('DATABASE_TLS_FAILED');
  });

  it('is not reached without TLS: the server takes TLS connections only', async () => {
    const plain = connectDatabase(
      readConfig({
        DATABASE_URL: `postgres://postgres@localhost:${pg.port}/postgres`,
        DATABASE_PASSWORD_FILE: pg.passwordFile,
      }).database,
      1,
      testLogger,
    );
    try {
      await plain.raw('select 1').then(
        () => expect.fail('a plaintext connection was accepted'),
        (error: unknown) => expect(String(error)).to.match(/no pg_hba.conf entry|SSL off/),
      );
    } finally {
      await plain.destroy();
    }
  });
});
