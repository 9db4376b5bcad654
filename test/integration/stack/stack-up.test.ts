// `npm run stack:up` against services that already answer: it creates the database and the two
// topics through the port's admin on the client KAFKA_CLIENT names, and loads that client's
// library only (@platformatic/kafka alone costs a process about 56 MB; kafkajs should cost none
// there). Safe to run again: the second run creates nothing.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import knexFactory from 'knex';
import type { KafkaClient } from '../../../src/runtime/config.ts';
import { withDatabase } from '../../../src/runtime/postgres-url.ts';
import { readConfig } from '../../../src/runtime/config.ts';
import { maintenanceUrl } from '../../../stack/postgres/local-postgres.ts';
import { referenceKafka } from '../../support/reference-kafkajs.ts';
import { runScript } from '../../support/run-script.ts';
import { testServices } from '../../support/services.ts';
import { testLogger } from '../../support/test-logger.ts';

const libraryOf: Record<KafkaClient, string> = {
  kafkajs: 'kafkajs',
  platformatic: '@platformatic/kafka',
};
const recorder = join(import.meta.dirname, '..', '..', 'support', 'record-loaded-packages.ts');

for (const client of ['platformatic', 'kafkajs'] as const) {
  describe(`npm run stack:up with KAFKA_CLIENT=${client}`, function () {
    this.timeout(120_000);
    const id = randomBytes(5).toString('hex');
    const topic = `it-stack-up-${id}`;
    const database = `test_stack_up_${id}`;
    let dir: string;
    let env: Record<string, string>;

    before(async () => {
      const { databaseUrl, kafkaBrokers } = await testServices();
      dir = await mkdtemp(join(tmpdir(), 'stack-up-'));
      env = {
        POSTGRES_ADMIN_URL: maintenanceUrl(databaseUrl),
        DATABASE_URL: withDatabase(databaseUrl, database),
        MIGRATIONS_DATABASE_URL: withDatabase(databaseUrl, database),
        KAFKA_BROKERS: kafkaBrokers.join(','),
        KAFKA_CLIENT: client,
        KAFKA_TOPIC: topic,
        KAFKA_DLQ_TOPIC: `${topic}.dlq`,
        KAFKA_TOPIC_PARTITIONS: '3',
        LOG_FORMAT: 'json',
      };
    });

    after(async () => {
      const admin = referenceKafka(readConfig(env), testLogger).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
      await admin.disconnect();
      const postgres = knexFactory({ client: 'pg', connection: env['POSTGRES_ADMIN_URL'] });
      await postgres.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [database]);
      await postgres.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    async function stackUp(run: string): Promise<{ output: string; packages: string[] }> {
      const packagesFile = join(dir, `${run}.txt`);
      const up = runScript('stack/up.ts', [], { ...env, LOADED_PACKAGES_FILE: packagesFile }, [
        '--import',
        recorder,
      ]);
      expect(await up.exited, up.output()).to.equal(0);
      const packages = (await readFile(packagesFile, 'utf8')).split('\n').filter(Boolean);
      return { output: up.output(), packages };
    }

    it(`creates the topics through the port and loads ${libraryOf[client]} only`, async () => {
      const { output, packages } = await stackUp('first');
      expect(output).to.include(`"createdTopics":["${topic}","${topic}.dlq"]`);
      expect(packages).to.include(libraryOf[client]);
      const other = client === 'platformatic' ? 'kafkajs' : '@platformatic/kafka';
      expect(packages).to.not.include(other);

      const admin = referenceKafka(readConfig(env), testLogger).admin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic, `${topic}.dlq`] });
        expect(topics.map(({ partitions }) => partitions.length)).to.deep.equal([3, 3]);
        const [main, dlq] = (
          await admin.describeConfigs({
            includeSynonyms: false,
            resources: [topic, `${topic}.dlq`].map((name) => ({
              type: 2, // ConfigResourceTypes.TOPIC
              name,
              configNames: ['max.message.bytes'],
            })),
          })
        ).resources;
        // Each topic's own settings: the dead letters' room is not given to the events' topic.
        expect(dlq?.configEntries[0]?.configValue).to.equal(String(2 * 1024 * 1024));
        expect(main?.configEntries[0]?.configValue).to.not.equal(String(2 * 1024 * 1024));
      } finally {
        await admin.disconnect();
      }
    });

    it('creates nothing when run again', async () => {
      const { output } = await stackUp('again');
      expect(output).to.include('"createdTopics":[]');
    });
  });
}
