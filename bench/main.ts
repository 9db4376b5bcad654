// `npm run bench`: throughput, memory and latency of the pipeline on this machine, in one run.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import knexFactory from 'knex';
import { loadConfigOrExit } from '../src/runtime/load-config.ts';
import { connectDatabase } from '../src/storage/connection.ts';
import { createMessaging } from '../src/adapters/create-messaging.ts';
import { serviceTopics } from '../src/messaging/service-topics.ts';
import { withDatabase } from '../src/runtime/postgres-url.ts';
import { toEventMessage } from '../src/apps/producer/event-message.ts';
import { createLogger } from '../src/runtime/logger.ts';
import { ensureKafka } from '../stack/kafka/local-kafka.ts';
import { ensurePostgresRunning } from '../stack/postgres/local-postgres.ts';
import { benchUsage, parseBenchOptions } from './bench-options.ts';
import { parseArgsOrExit } from '../src/runtime/parse-args-or-exit.ts';
import { benchEvent } from './bench-events.ts';
import { coresBusy, microsPerEvent } from './cpu-cost.ts';
import { cpuGroups, type CpuGroup } from './cpu-sampler.ts';
import { measureDrain } from './measure-drain.ts';
import { clockTicksPerSecond } from './proc-stat.ts';
import { measureCeiling } from './measure-ceiling.ts';
import { measureCopyCeiling } from './measure-copy-ceiling.ts';
import { measureLatency } from './measure-latency.ts';
import { produceBacklog } from './produce-backlog.ts';
import { compareSecurity } from './security-comparison.ts';
import { report, type ClientResult } from './report.ts';
import type { ChartSeries } from './rows-chart.ts';
import type { KafkaClient } from '../src/runtime/config.ts';

const options = parseArgsOrExit(parseBenchOptions, benchUsage);
const config = loadConfigOrExit();
const logger = createLogger('warn', config.logFormat);
const progress = (text: string) => process.stderr.write(`${text}\n`);
const ticksPerSecond = clockTicksPerSecond();
const loadAtStart = loadavg();
let loadAfterDrain = loadAtStart;
const seriesColors = ['#d62728', '#2ca02c'];

await ensurePostgresRunning(config.postgresAdminUrl, config.stackPostgres, progress);
await ensureKafka(config.kafkaBrokers);
if (options.security) {
  await compareSecurity(options, config, progress);
  process.exit(0);
}

const id = randomBytes(4).toString('hex');
// Each client's consumer drains a backlog of its own: a topic, a group and a database per client.
const topicOf = (client: KafkaClient) => `bench-${id}-${client}`;
const topics = options.kafkaClients.flatMap((client) => [
  topicOf(client),
  `${topicOf(client)}.dlq`,
]);
const admin = knexFactory({
  client: 'pg',
  connection: config.postgresAdminUrl,
  pool: { min: 0, max: 1 },
});
const databaseUrl = (name: string) => withDatabase(config.postgresAdminUrl, name);
const e2eNameOf = (client: KafkaClient) => `bench_${id}_e2e_${client}`;
const ceilingName = `bench_${id}_ceiling`;
const scratchNames = [ceilingName, ...options.kafkaClients.map(e2eNameOf)];
for (const name of scratchNames) await admin.raw('CREATE DATABASE ??', [name]);
const databases = new Map(scratchNames.map((name) => [name, connectDatabase(databaseUrl(name))]));
const database = (name: string) => {
  const db = databases.get(name);
  if (db === undefined) throw new Error(`no scratch database ${name}`);
  return db;
};
const ceilingDb = database(ceilingName);
await Promise.all([...databases.values()].map((db) => db.migrate.latest()));

// The backlog's producer and the admin go through the port, on the client KAFKA_CLIENT names.
const messaging = await createMessaging(config, logger);
const kafkaAdmin = await messaging.connectAdmin();
for (const client of options.kafkaClients) {
  const topic = topicOf(client);
  await kafkaAdmin.createTopics(
    serviceTopics({ topic, dlqTopic: `${topic}.dlq`, topicPartitions: options.partitions }),
  );
}
const producer = messaging.createProducer();
await producer.connect();

/**
 * Everything that needs the backlog as objects: the two ceilings, then the backlog produced to
 * every client's topic. The 200 000 event objects (about 120 MB of heap) go out of scope when it
 * returns, before any drain: held through the drains, the bench's own major collections marked
 * them about once a second, a tenth of the machine's CPU beside the consumer and Postgres it
 * measures (perf, 2026-12-06).
 */
async function ceilingsAndBacklogs() {
  progress(`generating ${options.events} events`);
  const events = Array.from({ length: options.events }, (_, i) => benchEvent(i));

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

  progress('plain COPY ceiling: the same rows copied into two plain tables');
  await admin.raw('CHECKPOINT');
  const copyCeiling = await measureCopyCeiling(
    ceilingDb,
    events,
    batchSize,
    config.partitionsConsumedConcurrently,
  );

  // Every client drains the same events, each from a topic of its own.
  let producerRate = 0;
  for (const client of options.kafkaClients) {
    const topic = topicOf(client);
    let lastReport = 0;
    const rate = await produceBacklog(producer, topic, events, (sent) => {
      if (sent - lastReport >= 50_000 || sent === events.length)
        progress(`produced ${(lastReport = sent)} to ${topic}`);
    });
    producerRate ||= rate;
  }
  return { ceiling, copyCeiling, producerRate };
}

try {
  const { ceiling, copyCeiling, producerRate } = await ceilingsAndBacklogs();

  const clients: ClientResult[] = [];
  const series: ChartSeries[] = [
    { name: 'ceiling: Postgres alone', color: '#1f77b4', points: ceiling.progress },
    {
      name: 'plain COPY ceiling: two plain tables',
      color: '#9467bd',
      points: copyCeiling.progress,
    },
  ];
  for (const kafkaClient of options.kafkaClients) {
    const topic = topicOf(kafkaClient);
    progress(`end to end: the consumer on ${kafkaClient} drains the backlog`);
    await admin.raw('CHECKPOINT');
    const e2eDb = database(e2eNameOf(kafkaClient));
    const drain = await measureDrain({
      admin: kafkaAdmin,
      db: e2eDb,
      databaseName: e2eNameOf(kafkaClient),
      databaseUrl: databaseUrl(e2eNameOf(kafkaClient)),
      topic,
      kafkaClient,
      events: options.events,
      consumerNodeArgs:
        options.consumerCpuProfDir === undefined
          ? []
          : ['--cpu-prof', `--cpu-prof-dir=${options.consumerCpuProfDir}`],
    });
    loadAfterDrain = loadavg();
    const { consumer } = drain;
    progress(
      `latency on ${kafkaClient}: ${options.latencyRate} events/s for ${options.latencySeconds} s`,
    );
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

    const drainSeconds = drain.drainMs / 1000;
    const perGroup = (f: (ticks: number) => number) =>
      Object.fromEntries(cpuGroups.map((g) => [g, f(drain.cpuTicks[g])])) as Record<
        CpuGroup,
        number
      >;
    clients.push({
      kafkaClient,
      endToEndEventsPerSecond: options.events / (drain.totalMs / 1000),
      endToEndExcludingStartupEventsPerSecond: options.events / drainSeconds,
      consumerStartupMs: drain.startupMs,
      cpu: {
        ticksPerSecond,
        drainSeconds,
        microsPerEvent: perGroup((t) => microsPerEvent(t, ticksPerSecond, drain.cpuEvents)),
        coresBusy: perGroup((t) => coresBusy(t, ticksPerSecond, drainSeconds)),
      },
      consumerPeakRssMb: peakRss,
      latency: { rate: options.latencyRate, seconds: options.latencySeconds, ...latency },
    });
    series.push({
      name: `end to end: consumer on ${kafkaClient} drains Kafka (from its start)`,
      color: seriesColors[clients.length - 1] ?? '#7f7f7f',
      points: drain.progress,
    });
  }
  await report(
    {
      events: options.events,
      partitions: options.partitions,
      loadAverage: { atStart: loadAtStart, afterDrain: loadAfterDrain },
      producerEventsPerSecond: producerRate,
      ceilingRowsPerSecond: ceiling.rowsPerSecond,
      copyCeilingRowsPerSecond: copyCeiling.rowsPerSecond,
      clients,
    },
    series,
    options.outDir,
  );
} finally {
  await producer.disconnect();
  await kafkaAdmin.deleteTopics(topics).catch(() => undefined);
  // Each consumer's group is named after its topic; it is empty once the consumer stopped.
  for (const client of options.kafkaClients)
    await kafkaAdmin.deleteGroup(topicOf(client)).catch(() => undefined);
  await kafkaAdmin.disconnect();
  await Promise.all([...databases.values()].map((db) => db.destroy()));
  for (const name of scratchNames)
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
  await admin.destroy();
}
