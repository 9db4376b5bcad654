// `npm run bench`: throughput, memory and latency of the pipeline on this machine, in one run.
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { loadConfigOrExit } from '../src/runtime/load-config.ts';
import { connectDatabase } from '../src/storage/connection.ts';
import { createProducer } from '../src/adapters/kafkajs/producer.ts';
import { createKafka } from '../src/adapters/kafkajs/kafka-client.ts';
import { ensureTopics, serviceTopics } from '../src/adapters/kafkajs/ensure-topics.ts';
import { toEventMessage } from '../src/apps/producer/event-message.ts';
import { createLogger } from '../src/runtime/logger.ts';
import { ensureKafka } from '../stack/kafka.ts';
import { ensurePostgresRunning } from '../stack/postgres.ts';
import { benchUsage, parseBenchOptions } from './bench-options.ts';
import { parseArgsOrExit } from '../src/runtime/parse-args-or-exit.ts';
import { benchEvent } from './bench-events.ts';
import { startConsumerProcess } from './consumer-process.ts';
import { measureCeiling } from './measure-ceiling.ts';
import { measureLatency } from './measure-latency.ts';
import { produceBacklog } from './produce-backlog.ts';
import { report } from './report.ts';

const options = parseArgsOrExit(parseBenchOptions, benchUsage);
const config = loadConfigOrExit();
const logger = createLogger('warn', config.logFormat);
const progress = (text: string) => process.stderr.write(`${text}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await ensurePostgresRunning(config.postgresAdminUrl, config.stackPostgres, progress);
await ensureKafka(config.kafkaBrokers);

const id = randomBytes(4).toString('hex');
const topic = `bench-${id}`;
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
const scratchNames = [`bench_${id}_ceiling`, `bench_${id}_e2e`];
for (const name of scratchNames) await admin.raw('CREATE DATABASE ??', [name]);
const [ceilingDb, e2eDb] = scratchNames.map((name) => connectDatabase(databaseUrl(name)));
if (ceilingDb === undefined || e2eDb === undefined) throw new Error('unreachable');
await Promise.all([ceilingDb.migrate.latest(), e2eDb.migrate.latest()]);

const kafka = createKafka(config, logger);
await ensureTopics(
  kafka,
  serviceTopics({ topic, dlqTopic: `${topic}.dlq`, topicPartitions: options.partitions }),
);
const producer = createProducer(kafka);
await producer.connect();

try {
  progress(`generating ${options.events} events`);
  const events = Array.from({ length: options.events }, (_, i) => benchEvent(i));

  let lastReport = 0;
  const producerRate = await produceBacklog(producer, topic, events, (sent) => {
    if (sent - lastReport >= 50_000 || sent === events.length)
      progress(`produced ${(lastReport = sent)}`);
  });

  // The consumer's batches hold up to kafkajs's default 1 MiB per partition fetch.
  const averageBytes =
    events.slice(0, 1000).reduce((sum, e) => sum + String(toEventMessage(e).value).length, 0) /
    1000;
  const batchSize = Math.floor(1_048_576 / averageBytes);
  progress(
    `ceiling: writing ${events.length} events straight into Postgres (batches of ${batchSize}, ${config.partitionsConsumedConcurrently} at a time)`,
  );
  // Each measurement starts from flushed buffers, so the one before cannot slow it down.
  await admin.raw('CHECKPOINT');
  const ceiling = await measureCeiling(
    ceilingDb,
    events,
    batchSize,
    config.partitionsConsumedConcurrently,
  );

  progress('end to end: the consumer drains the backlog');
  await admin.raw('CHECKPOINT');
  const startedAt = performance.now();
  const consumer = startConsumerProcess({
    DATABASE_URL: databaseUrl(`bench_${id}_e2e`),
    KAFKA_TOPIC: topic,
    KAFKA_DLQ_TOPIC: `${topic}.dlq`,
    KAFKA_GROUP_ID: topic,
  });
  let firstRowAt: number | undefined;
  for (let stored = 0; stored < events.length;) {
    await sleep(50);
    if (consumer.child.exitCode !== null)
      throw new Error('the consumer exited during the benchmark');
    const [row] = await e2eDb('product_events').count<{ count: string }[]>({ count: '*' });
    stored = Number(row?.count ?? 0);
    if (stored > 0) firstRowAt ??= performance.now();
    if (performance.now() - (firstRowAt ?? startedAt) > 600_000)
      throw new Error('drain took over 10 minutes');
  }
  const drainedAt = performance.now();
  progress(`latency: ${options.latencyRate} events/s for ${options.latencySeconds} s`);
  const latency = await measureLatency(
    producer,
    e2eDb,
    topic,
    options.latencyRate,
    options.latencySeconds,
  );
  const peakRss = await consumer.peakRssMb();
  const exitCode = await consumer.stop();
  if (exitCode !== 0) throw new Error(`the consumer exited with ${exitCode} on SIGTERM`);

  await report({
    events: events.length,
    partitions: options.partitions,
    producerEventsPerSecond: producerRate,
    ceilingRowsPerSecond: ceiling,
    endToEndEventsPerSecond: events.length / ((drainedAt - startedAt) / 1000),
    endToEndExcludingStartupEventsPerSecond:
      events.length / ((drainedAt - (firstRowAt ?? startedAt)) / 1000),
    consumerStartupMs: (firstRowAt ?? startedAt) - startedAt,
    consumerPeakRssMb: peakRss,
    latency: { rate: options.latencyRate, seconds: options.latencySeconds, ...latency },
  });
} finally {
  await producer.disconnect();
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  await kafkaAdmin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
  await kafkaAdmin.disconnect();
  await Promise.all([ceilingDb.destroy(), e2eDb.destroy()]);
  for (const name of scratchNames)
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
  await admin.destroy();
}
