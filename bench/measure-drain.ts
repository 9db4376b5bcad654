// End to end: the consumer, as its own process, drains the backlog. Progress is read from the
// group's committed offsets (the consumer commits a batch only once it is stored), not by counting
// rows: a count(*) every 50 ms would load the very Postgres being measured and land in its CPU.
// CPU of the consumer, the broker and Postgres is sampled from the first stored batch (after
// start-up) to the last.
import type { Admin } from '../src/messaging/port.ts';
import type { Knex } from 'knex';
import type { KafkaClient } from '../src/runtime/config.ts';
import { startConsumerProcess, type ConsumerProcess } from './consumer-process.ts';
import { createCpuSampler, type CpuGroup } from './cpu-sampler.ts';
import type { ChartPoint } from './rows-chart.ts';

const pollMs = 50;
const sampleEveryPolls = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface DrainResult {
  readonly consumer: ConsumerProcess;
  readonly startupMs: number;
  /** From consumer start to the last event stored. */
  readonly totalMs: number;
  /** From the first stored batch to the last: the drain without start-up. */
  readonly drainMs: number;
  /** CPU ticks per group over drainMs. */
  readonly cpuTicks: Record<CpuGroup, number>;
  /** Events stored over drainMs (the first batch was stored before the sampling began). */
  readonly cpuEvents: number;
  /** Events stored (offsets committed), seconds from consumer start. */
  readonly progress: readonly ChartPoint[];
}

export interface DrainSetup {
  readonly admin: Admin;
  readonly db: Knex;
  readonly databaseName: string;
  readonly databaseUrl: string;
  readonly topic: string;
  readonly kafkaClient: KafkaClient;
  readonly events: number;
  readonly consumerNodeArgs: readonly string[];
  /** More of the consumer's settings (another broker, its TLS and SASL). */
  readonly consumerEnv?: Readonly<Record<string, string>>;
}

async function committed(admin: Admin, groupId: string, topic: string): Promise<number> {
  let sum = 0;
  for (const offset of (await admin.committedOffsets(groupId, topic)).values())
    sum += Number(offset);
  return sum;
}

export async function measureDrain(setup: DrainSetup): Promise<DrainResult> {
  const { topic } = setup;
  const startedAt = performance.now();
  const consumer = startConsumerProcess(
    {
      DATABASE_URL: setup.databaseUrl,
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: `${topic}.dlq`,
      KAFKA_GROUP_ID: topic,
      KAFKA_CLIENT: setup.kafkaClient,
      ...setup.consumerEnv,
    },
    setup.consumerNodeArgs,
  );
  const pid = consumer.child.pid;
  if (pid === undefined) throw new Error('the consumer did not start');
  try {
    return await drain(setup, consumer, startedAt, pid);
  } catch (error) {
    // Do not leave a consumer running against a topic and database about to be dropped.
    await consumer.stop();
    throw error;
  }
}

async function drain(
  setup: DrainSetup,
  consumer: ConsumerProcess,
  startedAt: number,
  pid: number,
): Promise<DrainResult> {
  const { admin, topic, events } = setup;
  const cpu = createCpuSampler(pid, setup.databaseName);
  const progress: ChartPoint[] = [{ seconds: 0, rows: 0 }];
  let firstRowAt: number | undefined;
  let storedAtBegin = 0;
  let lastPollSeconds = 0;
  for (let stored = 0, polls = 0; stored < events; polls += 1) {
    await sleep(pollMs);
    if (consumer.child.exitCode !== null)
      throw new Error('the consumer exited during the benchmark');
    stored = await committed(admin, topic, topic);
    const now = performance.now();
    if (stored > 0 && firstRowAt === undefined) {
      firstRowAt = now;
      storedAtBegin = stored;
      cpu.begin();
    } else if (firstRowAt !== undefined && polls % sampleEveryPolls === 0) {
      cpu.sample();
    }
    const seconds = (now - startedAt) / 1000;
    const last = progress.at(-1);
    if (last !== undefined && stored !== last.rows) {
      // A step, not a slope: the previous count held until the poll before this one.
      if (lastPollSeconds > last.seconds)
        progress.push({ seconds: lastPollSeconds, rows: last.rows });
      progress.push({ seconds, rows: stored });
    }
    lastPollSeconds = seconds;
    if (now - (firstRowAt ?? startedAt) > 600_000) throw new Error('drain took over 10 minutes');
  }
  const drainedAt = performance.now();
  const cpuTicks = cpu.spent();
  const [row] = await setup.db('product_events').count<{ count: string }[]>({ count: '*' });
  if (Number(row?.count) !== events)
    throw new Error(`offsets say ${events} stored, but product_events holds ${row?.count} rows`);
  const first = firstRowAt ?? startedAt;
  return {
    consumer,
    startupMs: first - startedAt,
    totalMs: drainedAt - startedAt,
    drainMs: drainedAt - first,
    cpuTicks,
    cpuEvents: events - storedAtBegin,
    progress,
  };
}
