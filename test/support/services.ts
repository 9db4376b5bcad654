// Chooses the Postgres server and Kafka brokers the integration tests run against, in one place:
//   1. the environment, when DATABASE_URL or KAFKA_BROKERS is set;
//   2. else testcontainers, when a container engine answers;
//   3. else the local stack (the machine's or the embedded Postgres, a local Kafka broker).
// Whatever this module starts, stopTestServices stops; what was already running is left alone.
import { getContainerRuntimeClient } from 'testcontainers';
import { readConfig } from '../../src/runtime/config.ts';
import { stopKafkaBroker } from '../../stack/kafka/broker.ts';
import { ensureKafka, localBrokerOptions } from '../../stack/kafka/local-kafka.ts';
import {
  ensurePostgresRunning,
  stopPostgresIfStartedByStack,
} from '../../stack/postgres/local-postgres.ts';
import { freePort } from '../../stack/free-port.ts';

export interface TestServices {
  /** A URL of the Postgres server; each test file makes its own database on it. */
  readonly databaseUrl: string;
  readonly kafkaBrokers: readonly string[];
  readonly source: 'environment' | 'testcontainers' | 'local stack';
}

let services: Promise<TestServices> | undefined;
const cleanups: (() => Promise<unknown>)[] = [];

async function containerEngineAnswers(): Promise<boolean> {
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startContainers(): Promise<TestServices> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { startKafkaContainer } = await import('./kafka-container.ts');
  const { host } = (await getContainerRuntimeClient()).info.containerRuntime;
  const kafkaPort = await freePort();
  const [postgres, kafka] = await Promise.all([
    new PostgreSqlContainer('postgres:15-alpine').start(),
    startKafkaContainer(host, kafkaPort),
  ]);
  cleanups.push(
    () => postgres.stop(),
    () => kafka.stop(),
  );
  return {
    databaseUrl: postgres.getConnectionUri(),
    kafkaBrokers: [`${host}:${kafkaPort}`],
    source: 'testcontainers',
  };
}

async function useLocalStack(): Promise<TestServices> {
  // Only the stack's own switch is read from the environment; addresses are the defaults.
  const config = readConfig({ STACK_POSTGRES: process.env['STACK_POSTGRES'] });
  if ((await ensurePostgresRunning(config.postgresAdminUrl, config.stackPostgres)).started)
    cleanups.push(stopPostgresIfStartedByStack);
  const kafka = await ensureKafka(config.kafkaBrokers);
  const local = localBrokerOptions(config.kafkaBrokers);
  if (kafka.source === 'local-broker-started' && local !== undefined)
    cleanups.push(() => stopKafkaBroker(local));
  // Tests create a database each, so they connect as the superuser.
  return {
    databaseUrl: config.postgresAdminUrl,
    kafkaBrokers: config.kafkaBrokers,
    source: 'local stack',
  };
}

async function chooseServices(): Promise<TestServices> {
  const env = process.env;
  if (env['DATABASE_URL'] !== undefined || env['KAFKA_BROKERS'] !== undefined) {
    const config = readConfig(env);
    return {
      databaseUrl: config.databaseUrl,
      kafkaBrokers: config.kafkaBrokers,
      source: 'environment',
    };
  }
  return (await containerEngineAnswers()) ? startContainers() : useLocalStack();
}

export function testServices(): Promise<TestServices> {
  services ??= chooseServices();
  return services;
}

export async function stopTestServices(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}
