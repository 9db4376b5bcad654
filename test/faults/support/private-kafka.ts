// A Kafka broker of the test's own (own data directory and ports, the jars the stack caches), so a
// test can restart or kill it without disturbing anything else.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultKafkaBrokerOptions,
  killKafkaBroker,
  startKafkaBroker,
  stopKafkaBroker,
  type KafkaBrokerOptions,
} from '../../../stack/kafka/broker.ts';
import { freePort } from '../../../stack/free-port.ts';

export interface PrivateKafka {
  readonly brokers: string[];
  /** SIGTERM and wait: a clean broker shutdown. */
  stop(): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startPrivateKafka(): Promise<PrivateKafka> {
  const dataDir = await mkdtemp(join(tmpdir(), 'faults-kafka-'));
  const options: KafkaBrokerOptions = {
    cacheDir: defaultKafkaBrokerOptions.cacheDir,
    dataDir,
    port: await freePort(),
    controllerPort: await freePort(),
  };
  await startKafkaBroker(options);
  return {
    brokers: [`127.0.0.1:${options.port}`],
    async stop() {
      await stopKafkaBroker(options);
    },
    async kill() {
      await killKafkaBroker(options);
    },
    async start() {
      await startKafkaBroker(options);
    },
    async destroy() {
      await stopKafkaBroker(options).catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
