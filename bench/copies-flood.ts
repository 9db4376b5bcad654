// `npm run bench:copies-flood`: does one partition flooded with copies of one eventId hold back
// the others? Per Kafka client, two runs of the consumer (its own process) on a 3-partition topic
// of their own, in one window:
// - normal: partitions 1 and 2 hold a backlog of ordinary events, partition 0 as many as its flood;
// - flood: the same backlog on partitions 1 and 2, partition 0 holds floods, each of 3 000 copies
//   of one eventId that all differ in their bytes and content (a metadata field), or with
//   `--kind key-order` only in the order of their metadata keys (the same event by the rule, so
//   each copy costs a round: the write budget, not the sweep, keeps the others going).
// Each run's window goes from the first offset committed to partition 0's last (or --window-seconds);
// the figure is partitions 1 and 2's events stored per second in it, the flood's as a ratio of the
// normal one. Progress is read from the group's committed offsets, as `npm run bench` does.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import knexFactory from 'knex';
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import { loadConfigOrExit } from '../src/runtime/load-config.ts';
import { connectDatabase } from '../src/storage/connection.ts';
import { createMessaging } from '../src/adapters/create-messaging.ts';
import { serviceTopics } from '../src/messaging/service-topics.ts';
import { toEventMessage } from '../src/apps/producer/event-message.ts';
import { generateOldEvent } from '../src/apps/producer/generate-event.ts';
import { createLogger } from '../src/runtime/logger.ts';
import type { KafkaClient } from '../src/runtime/config.ts';
import { benchEvent } from './bench-events.ts';
import { startConsumerProcess } from './consumer-process.ts';

const usage = `usage: npm run bench:copies-flood -- [--copies N] [--floods N] [--events N]
                                    [--window-seconds N] [--kafka-client kafkajs|platformatic|both]
                                    [--kind content|key-order]

  --copies N          copies of one eventId in a flood, each different (default 3000)
  --floods N          floods on partition 0, one eventId each (default 4)
  --events N          ordinary events on each of partitions 1 and 2 (default 20000)
  --window-seconds N  longest window measured (default 30)
  --kafka-client C    kafkajs, platformatic or both (default)
  --kind K            how the copies differ: content (default: a metadata value) or key-order
                      (metadata keys in another order: the same event)`;

const { values } = parseArgs({
  options: {
    copies: { type: 'string', default: '3000' },
    floods: { type: 'string', default: '4' },
    events: { type: 'string', default: '20000' },
    'window-seconds': { type: 'string', default: '30' },
    'kafka-client': { type: 'string', default: 'both' },
    kind: { type: 'string', default: 'content' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help === true) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const copies = Number(values.copies);
const floods = Number(values.floods);
const otherEvents = Number(values.events);
const windowMs = Number(values['window-seconds']) * 1000;
const keyOrder = values.kind === 'key-order';
const metadataKeys = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
/** The n-th of the 5 040 orders of metadataKeys. */
function ordering(n: number): string[] {
  const pool = [...metadataKeys];
  const order: string[] = [];
  for (let rest = n % 5040, size = pool.length; size > 0; size -= 1) {
    let factorial = 1;
    for (let k = 2; k < size; k += 1) factorial *= k;
    order.push(...pool.splice(Math.floor(rest / factorial), 1));
    rest %= factorial;
  }
  return order;
}
const clients: KafkaClient[] =
  values['kafka-client'] === 'both'
    ? ['kafkajs', 'platformatic']
    : [values['kafka-client'] as KafkaClient];

const config = loadConfigOrExit();
const logger = createLogger('warn', config.logFormat);
const progress = (text: string) => process.stderr.write(`${text}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const id = randomBytes(4).toString('hex');
const admin = knexFactory({
  client: 'pg',
  connection: config.postgresAdminUrl,
  pool: { min: 0, max: 1 },
});
const databaseUrl = (name: string) => {
  const url = new URL(config.postgresAdminUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

type Run = 'normal' | 'flood';

/** Partition 0's messages: ordinary events, or floods of different copies of one eventId each. */
function partitionZero(run: Run): Buffer[] {
  const values: Buffer[] = [];
  for (let flood = 0; flood < floods; flood += 1) {
    const original = generateOldEvent();
    for (let copy = 0; copy < copies; copy += 1) {
      const metadata = keyOrder
        ? Object.fromEntries(ordering(copy).map((key) => [key, key]))
        : { ...original.metadata, copy };
      const event = run === 'normal' ? generateOldEvent() : { ...original, metadata };
      values.push(Buffer.from(JSON.stringify(event)));
    }
  }
  return values;
}

async function send(producer: Producer, topic: string, partition: number, values: Buffer[]) {
  for (let next = 0; next < values.length; next += 2_000) {
    const chunk = values.slice(next, next + 2_000);
    await producer.send({
      topic,
      acks: -1,
      messages: chunk.map((value) => ({ partition, value })),
    });
  }
}

async function committed(kafkaAdmin: Admin, groupId: string, topic: string) {
  const [offsets] = await kafkaAdmin.fetchOffsets({ groupId, topics: [topic] });
  const byPartition = [0, 0, 0];
  for (const { partition, offset } of offsets?.partitions ?? [])
    byPartition[partition] = Math.max(0, Number(offset));
  return byPartition;
}

interface RunResult {
  readonly windowSeconds: number;
  readonly othersPerSecond: number;
  readonly partitionZeroDone: boolean;
}

async function measure(kafkaClient: KafkaClient, run: Run): Promise<RunResult> {
  const topic = `bench-flood-${id}-${kafkaClient}-${run}`;
  const name = `bench_flood_${id}_${kafkaClient}_${run}`;
  await admin.raw('CREATE DATABASE ??', [name]);
  const db = connectDatabase(databaseUrl(name));
  // Messages go to the partition this bench names, which the port's producer does not offer: a
  // kafkajs producer of the bench's own, with the Java client's partitioner as the service's.
  const kafka = new Kafka({
    clientId: 'copies-flood',
    brokers: [...config.kafkaBrokers],
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const kafkaAdmin = kafka.admin();
  try {
    await db.migrate.latest();
    const portAdmin = await (await createMessaging(config, logger)).connectAdmin();
    try {
      await portAdmin.createTopics(
        serviceTopics({ topic, dlqTopic: `${topic}.dlq`, topicPartitions: 3 }),
      );
    } finally {
      await portAdmin.disconnect();
    }
    await producer.connect();
    await kafkaAdmin.connect();
    const zero = partitionZero(run);
    const backlog = () =>
      Array.from({ length: otherEvents }, (_, i) =>
        Buffer.from(String(toEventMessage(benchEvent(i)).value)),
      );
    await send(producer, topic, 0, zero);
    await send(producer, topic, 1, backlog());
    await send(producer, topic, 2, backlog());
    progress(`${kafkaClient}, ${run}: ${zero.length} on partition 0, ${otherEvents} on 1 and 2`);

    const consumer = startConsumerProcess({
      DATABASE_URL: databaseUrl(name),
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: `${topic}.dlq`,
      KAFKA_GROUP_ID: topic,
      KAFKA_CLIENT: kafkaClient,
      HTTP_PORT: '0',
    });
    try {
      let start: { at: number; others: number } | undefined;
      for (;;) {
        const [p0 = 0, p1 = 0, p2 = 0] = await committed(kafkaAdmin, topic, topic);
        const now = performance.now();
        if (start === undefined && p0 + p1 + p2 > 0) start = { at: now, others: p1 + p2 };
        const done = p0 >= zero.length || p1 + p2 >= 2 * otherEvents;
        if (start !== undefined && (done || now - start.at >= windowMs)) {
          const seconds = (now - start.at) / 1000;
          return {
            windowSeconds: seconds,
            othersPerSecond: (p1 + p2 - start.others) / seconds,
            partitionZeroDone: p0 >= zero.length,
          };
        }
        await sleep(100);
      }
    } finally {
      await consumer.stop();
    }
  } finally {
    await producer.disconnect();
    await kafkaAdmin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
    await kafkaAdmin.deleteGroups([topic]).catch(() => undefined);
    await kafkaAdmin.disconnect();
    await db.destroy();
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
  }
}

try {
  const lines: string[] = [];
  for (const kafkaClient of clients) {
    const normal = await measure(kafkaClient, 'normal');
    const flood = await measure(kafkaClient, 'flood');
    const row = (run: string, result: RunResult) =>
      `${kafkaClient.padEnd(12)} ${run.padEnd(7)} ${result.othersPerSecond.toFixed(0).padStart(8)} events/s over ${result.windowSeconds.toFixed(1)} s${result.partitionZeroDone ? '' : ' (partition 0 not done)'}`;
    lines.push(
      row('normal', normal),
      row('flood', flood),
      `${kafkaClient.padEnd(12)} ratio   ${((100 * flood.othersPerSecond) / normal.othersPerSecond).toFixed(0).padStart(7)} % of normal`,
    );
  }
  process.stdout.write(
    `partitions 1 and 2, events stored per second while partition 0 works (${floods} × ${copies} copies, ${keyOrder ? 'key order' : 'content'} differing)\n${lines.join('\n')}\n`,
  );
} finally {
  await admin.destroy();
}
