// `npm run bench -- --security`: what TLS and SASL cost the consumer, in one run. A private broker
// (stack/kafka/secured-broker.ts) offers a PLAINTEXT listener and a SASL_SSL one (SCRAM-SHA-512, a
// certificate of a throwaway CA); per client, the consumer, as its own process, drains the same
// backlog through each, so only the listener differs. The password reaches it as a file
// (KAFKA_SASL_PASSWORD_FILE), as a mounted Secret would. The order is plaintext then TLS for the
// first client and the reverse for the second, so a machine growing busier does not favour one.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadavg } from 'node:os';
import knexFactory from 'knex';
import { createMessaging } from '../src/adapters/create-messaging.ts';
import type { Admin } from '../src/messaging/port.ts';
import { serviceTopics } from '../src/messaging/service-topics.ts';
import { readConfig, type Config, type KafkaClient } from '../src/runtime/config.ts';
import { createLogger } from '../src/runtime/logger.ts';
import { withDatabase } from '../src/runtime/postgres-url.ts';
import { connectDatabase } from '../src/storage/connection.ts';
import { startSecuredKafka, type SecuredKafka } from '../stack/kafka/secured-broker.ts';
import type { BenchOptions } from './bench-options.ts';
import { benchEvent } from './bench-events.ts';
import { microsPerEvent } from './cpu-cost.ts';
import { measureDrain } from './measure-drain.ts';
import { clockTicksPerSecond } from './proc-stat.ts';
import { produceBacklog } from './produce-backlog.ts';
import { listeners, reportSecurity, type Listener, type SecuredDrain } from './security-report.ts';

const saslMechanism = 'scram-sha-512';

/**
 * A fresh broker loads its group coordinator's state after it starts listening: until then every
 * offset fetch is refused (GROUP_LOAD_IN_PROGRESS). The drain polls committed offsets from its
 * first moment, so the coordinator must answer before it begins.
 */
async function untilCoordinatorAnswers(admin: Admin, groupId: string, topic: string) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await admin.committedOffsets(groupId, topic);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

/** The consumer's settings for one listener: the variables an operator sets. */
export function listenerEnv(broker: SecuredKafka, listener: Listener): Record<string, string> {
  if (listener === 'plaintext') return { KAFKA_BROKERS: broker.plaintextBroker };
  return {
    KAFKA_BROKERS: broker.saslSslBroker,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: broker.caFile,
    KAFKA_SASL_MECHANISM: saslMechanism,
    KAFKA_SASL_USERNAME: broker.scramUser,
    KAFKA_SASL_PASSWORD_FILE: broker.scramPasswordFile,
  };
}

interface Drain {
  readonly kafkaClient: KafkaClient;
  readonly listener: Listener;
  /** The scratch database's name; the topic's is the same with dashes. */
  readonly name: string;
}

function drainsInOrder(clients: readonly KafkaClient[], id: string): Drain[] {
  return clients.flatMap((kafkaClient, index) =>
    (index % 2 === 0 ? [...listeners] : [...listeners].reverse()).map((listener) => ({
      kafkaClient,
      listener,
      name: `bench_sec_${id}_${kafkaClient}_${listener === 'plaintext' ? 'plain' : 'tls'}`,
    })),
  );
}

export async function compareSecurity(
  options: BenchOptions,
  config: Pick<Config, 'postgresAdminUrl' | 'logFormat'>,
  progress: (line: string) => void,
): Promise<void> {
  const loadAtStart = loadavg();
  progress('starting a private broker with PLAINTEXT and SASL_SSL listeners (can take a minute)');
  const broker = await startSecuredKafka();
  const postgres = knexFactory({
    client: 'pg',
    connection: config.postgresAdminUrl,
    pool: { min: 0, max: 1 },
  });
  const databases: string[] = [];
  // The backlog's producer and the admin use the plaintext listener: only the consumer's path
  // is compared.
  const messaging = await createMessaging(
    readConfig({ ...process.env, ...listenerEnv(broker, 'plaintext') }),
    createLogger('warn', config.logFormat),
  );
  const admin = await messaging.connectAdmin();
  const producer = messaging.createProducer();
  const ticksPerSecond = clockTicksPerSecond();
  try {
    await producer.connect();
    const events = Array.from({ length: options.events }, (_, i) => benchEvent(i));
    const drains: SecuredDrain[] = [];
    for (const { kafkaClient, listener, name } of drainsInOrder(
      options.kafkaClients,
      randomBytes(4).toString('hex'),
    )) {
      const topic = name.replaceAll('_', '-');
      await admin.createTopics(
        serviceTopics({ topic, dlqTopic: `${topic}.dlq`, topicPartitions: options.partitions }),
      );
      await postgres.raw('CREATE DATABASE ??', [name]);
      databases.push(name);
      const databaseUrl = withDatabase(config.postgresAdminUrl, name);
      const db = connectDatabase(databaseUrl);
      try {
        await db.migrate.latest();
        progress(`producing ${events.length} events to ${topic}`);
        await produceBacklog(producer, topic, events, () => undefined);
        await postgres.raw('CHECKPOINT');
        await untilCoordinatorAnswers(admin, topic, topic);
        progress(`the consumer on ${kafkaClient} drains it through ${listener}`);
        const drain = await measureDrain({
          admin,
          db,
          databaseName: name,
          databaseUrl,
          topic,
          kafkaClient,
          events: events.length,
          consumerNodeArgs: [],
          consumerEnv: listenerEnv(broker, listener),
        });
        const exitCode = await drain.consumer.stop();
        if (exitCode !== 0) throw new Error(`the consumer exited with ${exitCode} on SIGTERM`);
        drains.push({
          kafkaClient,
          listener,
          eventsPerSecond: events.length / (drain.totalMs / 1000),
          eventsPerSecondAfterStartup: events.length / (drain.drainMs / 1000),
          consumerStartupMs: drain.startupMs,
          consumerMicrosPerEvent: microsPerEvent(
            drain.cpuTicks.consumer,
            ticksPerSecond,
            drain.cpuEvents,
          ),
        });
      } finally {
        await db.destroy();
      }
    }
    await reportSecurity(
      {
        events: events.length,
        partitions: options.partitions,
        saslMechanism: saslMechanism.toUpperCase(),
        loadAverage: { atStart: loadAtStart, atEnd: loadavg() },
        drains,
      },
      options.outDir,
    );
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    for (const name of databases)
      await postgres.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
    await postgres.destroy();
    // Its topics and groups go with it.
    await broker.destroy();
  }
}
