// `node bench/slice-memory.ts [--events N] [--partitions P] [--padding whitespace|string]
//   [--gzip-batch K] [--slice-max-bytes B] [--kafka-client kafkajs|platformatic]`: a memory check,
// not a test. Fills a fresh topic with N valid events of 1 MiB each (EVENT_MAX_BYTES, produced with
// kafkajs: plain, one per record batch; with --gzip-batch, K per gzip record batch),
// then lets the consumer, as its own process with the production flags (`npm run consumer`:
// --max-old-space-size=160), drain it, and reports whether it finished and its peak RSS (VmHWM,
// sampled from /proc). Padding: `whitespace` between JSON tokens (nothing of it is held once
// decoded), `string`, one unknown field holding a string of spaces (held until stored), or
// `objects`, one unknown field holding [{}, {}, …] (about ×21 the bytes in heap once decoded).
// `--slice-max-bytes 1073741824` settles every batch as one slice: the consumer before slicing.
// The producer is kafkajs itself, not the port's: the port splits sends into requests of 512 KiB,
// so it cannot make a gzip record batch of K MiB. The topics are made through the port's admin.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import knexFactory from 'knex';
import { CompressionTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import { createMessaging } from '../src/adapters/create-messaging.ts';
import { serviceTopics } from '../src/messaging/service-topics.ts';
import { withDatabase } from '../src/runtime/postgres-url.ts';
import { generateOldEvent } from '../src/apps/producer/generate-event.ts';
import { defaultEventLimits } from '../src/domain/events/decode-event.ts';
import { loadConfigOrExit } from '../src/runtime/load-config.ts';
import { createLogger } from '../src/runtime/logger.ts';
import { connectDatabase } from '../src/storage/connection.ts';
import { startConsumerProcess } from './consumer-process.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200' },
    partitions: { type: 'string', default: '3' },
    padding: { type: 'string', default: 'whitespace' },
    'slice-max-bytes': { type: 'string' },
    'kafka-client': { type: 'string', default: 'kafkajs' },
    'gzip-batch': { type: 'string' },
  },
});
const events = Number(values.events);
const partitions = Number(values.partitions);
const config = loadConfigOrExit();
const progress = (text: string) => process.stderr.write(`${text}\n`);
const noProgressMs = 60_000;

/** A valid event of exactly EVENT_MAX_BYTES bytes. */
function paddedEvent(): Buffer {
  const event = generateOldEvent();
  const bare = Buffer.byteLength(JSON.stringify(event));
  if (values.padding === 'string') {
    const overhead = Buffer.byteLength(JSON.stringify({ ...event, padding: '' })) - bare;
    const padding = ' '.repeat(defaultEventLimits.maxBytes - bare - overhead);
    return Buffer.from(JSON.stringify({ ...event, padding }));
  }
  if (values.padding === 'objects') {
    // [{}, {}, …]: the shape that costs JSON.parse the most heap per byte (bench/decoded-heap.ts).
    const head = JSON.stringify({ ...event, padding: [] }).slice(0, -2);
    const count = Math.floor((defaultEventLimits.maxBytes - Buffer.byteLength(head) - 2) / 3);
    return Buffer.from(`${head}${'{},'.repeat(count - 1)}{}]}`);
  }
  const text = JSON.stringify(event);
  return Buffer.from(`${text.slice(0, -1)}${' '.repeat(defaultEventLimits.maxBytes - bare)}}`);
}

const id = randomBytes(4).toString('hex');
const topic = `slice-memory-${id}`;
const databaseName = `slice_memory_${id}`;
const admin = knexFactory({ client: 'pg', connection: config.postgresAdminUrl });
await admin.raw('CREATE DATABASE ??', [databaseName]);
const url = new URL(withDatabase(config.postgresAdminUrl, databaseName));
const db = connectDatabase(url.toString());
await db.migrate.latest();
const kafkaAdmin = await (
  await createMessaging(config, createLogger('warn', 'json'))
).connectAdmin();
// Room for a 1 MiB value and its record's overhead (the broker's default is 1 MiB in all).
const roomy = [{ name: 'max.message.bytes', value: String(2 * 1024 * 1024) }];
await kafkaAdmin.createTopics(
  serviceTopics({ topic, dlqTopic: `${topic}.dlq`, topicPartitions: partitions }).map((spec) => ({
    ...spec,
    configEntries: roomy,
  })),
);

try {
  const kafka = new Kafka({
    clientId: 'slice-memory',
    brokers: [...config.kafkaBrokers],
    logLevel: logLevel.WARN,
  });
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  // Plain: one message per send, as a record batch of two would pass max.message.bytes. Gzip: K
  // per send, a record batch of a few KiB on the wire that decompresses to K MiB.
  const perBatch = values['gzip-batch'] === undefined ? 1 : Number(values['gzip-batch']);
  const compression = perBatch > 1 ? CompressionTypes.GZIP : CompressionTypes.None;
  for (let sent = 0; sent < events;) {
    const sends = [];
    for (let partition = 0; partition < partitions && sent < events; partition += 1) {
      const count = Math.min(perBatch, events - sent);
      sent += count;
      const messages = Array.from({ length: count }, () => ({ value: paddedEvent(), partition }));
      sends.push(producer.send({ topic, acks: -1, compression, messages }));
    }
    await Promise.all(sends);
  }
  await producer.disconnect();
  progress(`produced ${events} events of ${defaultEventLimits.maxBytes} bytes to ${topic}`);

  const consumer = startConsumerProcess({
    DATABASE_URL: url.toString(),
    KAFKA_TOPIC: topic,
    KAFKA_DLQ_TOPIC: `${topic}.dlq`,
    KAFKA_GROUP_ID: topic,
    KAFKA_CLIENT: values['kafka-client'],
    HTTP_PORT: '0',
    ...(values['slice-max-bytes'] === undefined
      ? {}
      : { CONSUMER_SLICE_MAX_BYTES: values['slice-max-bytes'] }),
  });
  let exitCode: number | null | undefined;
  let signal: string | null = null;
  consumer.child.once('exit', (code, killedBy) => {
    exitCode = code;
    signal = killedBy;
  });
  const startedAt = performance.now();
  let peakRssMb = 0;
  let rows = 0;
  let progressAt = Date.now();
  while (exitCode === undefined && rows < events && Date.now() - progressAt < noProgressMs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const hwm = await readFile(`/proc/${consumer.child.pid}/status`, 'utf8').then(
      (status) => Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024,
      () => 0,
    );
    peakRssMb = Math.max(peakRssMb, hwm);
    const [row] = await db('product_events').count<{ n: string }[]>({ n: '*' });
    if (Number(row?.n) !== rows) [rows, progressAt] = [Number(row?.n), Date.now()];
  }
  const seconds = (performance.now() - startedAt) / 1000;
  const outcome =
    rows === events
      ? 'drained'
      : exitCode !== undefined
        ? `exited (code ${String(exitCode)}, signal ${String(signal)})`
        : `no progress for ${noProgressMs / 1000} s`;
  if (exitCode === undefined) await consumer.stop();
  process.stdout.write(
    `${JSON.stringify({
      client: values['kafka-client'],
      padding: values.padding,
      eventsPerRecordBatch: values['gzip-batch'] ?? '1 (plain)',
      sliceMaxBytes: values['slice-max-bytes'] ?? String(config.consumerSliceMaxBytes),
      events,
      partitions,
      outcome,
      rowsStored: rows,
      seconds: Math.round(seconds * 10) / 10,
      peakRssMb: Math.round(peakRssMb),
    })}\n`,
  );
} finally {
  await db.destroy();
  await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [databaseName]);
  await admin.destroy();
  await kafkaAdmin.deleteTopics([topic, `${topic}.dlq`]).catch(() => undefined);
  await kafkaAdmin.disconnect();
}
