// Events stored through a SASL_SSL listener (SCRAM-SHA-512, the password from a file) and through
// mutual TLS, by the real producer and consumer processes on the client KAFKA_CLIENT names; and
// each refusal (a wrong password, a CA the broker's certificate does not chain to, no client
// certificate) ends the command within a minute with one line naming it, the secret in no output.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readConfig } from '../../../src/runtime/config.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratch-database.ts';
import { startSecuredKafka, type SecuredKafka } from '../../../stack/kafka/secured-broker.ts';
import { testServices } from '../../support/services.ts';
import { ensureReadyTopics } from '../../support/topics-ready.ts';
import { runScript } from '../../support/run-script.ts';
import { exitWithin } from '../../support/consumer-process.ts';
import { waitUntil } from '../../support/wait-until.ts';

const client = process.env['KAFKA_CLIENT'] === 'platformatic' ? 'platformatic' : 'kafkajs';
const events = 5;
const refusalDeadlineMs = 60_000;

describe(`Kafka behind SASL_SSL and mutual TLS (${client})`, function () {
  this.timeout(180_000);
  let kafka: SecuredKafka;
  let scratch: ScratchDatabase;

  before(async () => {
    const services = await testServices();
    [kafka, scratch] = await Promise.all([
      startSecuredKafka(),
      createScratchDatabase(services.databaseUrl),
    ]);
    await scratch.db.migrate.latest();
  });

  after(async () => {
    await Promise.all([kafka?.destroy(), scratch?.drop()]);
  });

  const saslEnv = (): Record<string, string> => ({
    KAFKA_BROKERS: kafka.saslSslBroker,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: kafka.caFile,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: kafka.scramUser,
    KAFKA_SASL_PASSWORD_FILE: kafka.scramPasswordFile,
  });
  const mtlsEnv = (): Record<string, string> => ({
    KAFKA_BROKERS: kafka.mtlsBroker,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: kafka.caFile,
    KAFKA_SSL_CERT_FILE: kafka.client.cert,
    KAFKA_SSL_KEY_FILE: kafka.client.key,
  });

  /** Topics made over the secured listener itself, as `stack:up` makes them. */
  async function topicsThrough(env: Record<string, string>) {
    const id = randomBytes(4).toString('hex');
    const names = {
      KAFKA_TOPIC: `sec-${id}`,
      KAFKA_DLQ_TOPIC: `sec-${id}.dlq`,
      KAFKA_GROUP_ID: `sec-${id}`,
    };
    // On the client under test, through the port's admin, as stack:up makes them.
    const config = readConfig({ ...env, KAFKA_CLIENT: client, KAFKA_CLIENT_ID: names.KAFKA_TOPIC });
    await ensureReadyTopics(config, [
      { topic: names.KAFKA_TOPIC, numPartitions: 2 },
      { topic: names.KAFKA_DLQ_TOPIC, numPartitions: 1 },
    ]);
    return names;
  }

  async function storeThrough(env: Record<string, string>): Promise<string> {
    const names = await topicsThrough(env);
    const common = {
      ...env,
      ...names,
      KAFKA_CLIENT: client,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    };
    const producer = runScript('src/apps/producer/main.ts', ['--count', String(events)], common);
    expect(await producer.exited, producer.output()).to.equal(0);
    const consumer = runScript('src/apps/consumer/main.ts', [], {
      ...common,
      DATABASE_URL: scratch.url,
    });
    try {
      await waitUntil(
        `${events} events stored through ${env['KAFKA_BROKERS']}`,
        async () => {
          if (consumer.child.exitCode !== null)
            throw new Error(`consumer exited:\n${consumer.output()}`);
          const [row] = await scratch
            .db('product_events')
            .count<{ count: string }[]>({ count: '*' });
          return Number(row?.count) >= events;
        },
        90_000,
        250,
      );
    } finally {
      consumer.child.kill('SIGTERM');
      await consumer.exited;
    }
    await scratch.db('product_events').del();
    return producer.output() + consumer.output();
  }

  it('stores events through SASL_SSL with SCRAM-SHA-512, the password read from a file', async () => {
    const output = await storeThrough(saslEnv());
    expect(output).not.to.include(kafka.scramPassword);
  });

  it('stores events through mutual TLS', async () => {
    await storeThrough(mtlsEnv());
  });

  /** The producer's one line and exit code with `env`, within the deadline. */
  async function refusal(env: Record<string, string>): Promise<string[]> {
    const producer = runScript('src/apps/producer/main.ts', ['--count', '1'], {
      ...env,
      KAFKA_TOPIC: 'sec-refused',
      KAFKA_CLIENT: client,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    });
    const code = await exitWithin(producer, refusalDeadlineMs);
    if (code === 'still running') producer.child.kill('SIGKILL');
    expect(code, producer.output()).to.equal(1);
    return producer
      .output()
      .split('\n')
      .filter((line) => line.trim() !== '');
  }

  it('refuses a wrong SASL password in one line naming the login, the password in no output', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const file = join(tmpdir(), `wrong-password-${wrong}`);
    await writeFile(file, wrong);
    const lines = await refusal({ ...saslEnv(), KAFKA_SASL_PASSWORD_FILE: file });
    expect(lines, lines.join('\n')).to.have.length(1);
    expect(lines[0]).to.include('KAFKA_SASL_FAILED').and.include('refused the SASL login');
    expect(lines.join('\n')).not.to.include(wrong);
    expect(lines.join('\n')).not.to.include(kafka.scramPassword);
  });

  it('refuses a broker whose certificate does not chain to KAFKA_SSL_CA_FILE, in one line', async () => {
    const lines = await refusal({ ...saslEnv(), KAFKA_SSL_CA_FILE: kafka.untrustedCaFile });
    expect(lines, lines.join('\n')).to.have.length(1);
    expect(lines[0]).to.include('KAFKA_TLS_UNTRUSTED').and.include('is not trusted');
  });

  it('says the broker wants a client certificate when none is given, in one line', async () => {
    const withoutCertificate = mtlsEnv();
    delete withoutCertificate['KAFKA_SSL_CERT_FILE'];
    delete withoutCertificate['KAFKA_SSL_KEY_FILE'];
    const lines = await refusal(withoutCertificate);
    expect(lines, lines.join('\n')).to.have.length(1);
    expect(lines[0], lines[0]).to.include('KAFKA_TLS_REFUSED').and.include('client certificate');
  });
});
