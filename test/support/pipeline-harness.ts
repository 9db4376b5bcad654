// One isolated pipeline per test: its own database, topics and consumer group on the real
// services, the real consumer running in this process, and helpers to produce and to read back.
import { randomBytes } from 'node:crypto';
import { type Kafka, type KafkaMessage, type Message, type Producer } from 'kafkajs';
import type { Knex } from 'knex';
import { readConfig, type Config } from '../../src/runtime/config.ts';
import { createMessaging } from '../../src/adapters/create-messaging.ts';
import { serviceTopics } from '../../src/messaging/service-topics.ts';
import type { IngestMetrics } from '../../src/apps/consumer/ingest-metrics.ts';
import { runConsumer, type RunningConsumer } from '../../src/apps/consumer/run-consumer.ts';
import { toEventMessage } from '../../src/apps/producer/event-message.ts';
import type { ProductPurchasedV2 } from '../../src/domain/schemas/types.ts';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database.ts';
import { testServices, type TestServices } from './services.ts';
import {
  expectEverySentEventSettled,
  expectNothingCommittedPastTheEnd,
  expectNothingLost,
  groupProgress,
  sentEventId,
} from './lost-events.ts';
import { ensureReadyTopics } from './topics-ready.ts';
import { referenceKafka, referenceProducer } from './reference-kafkajs.ts';
import { testLogger } from './test-logger.ts';
import { waitUntil } from './wait-until.ts';

/** Runs every step in turn, whatever the others did; then throws the first failure, if any. */
async function settleAll(steps: readonly (() => Promise<unknown>)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) await step().catch((error: unknown) => failures.push(error));
  if (failures.length > 0) throw failures[0];
}

/** A consumer that stores nothing for this long with events waiting is stuck, not slow. */
const rowStallMs = 45_000;
/** How often waitForRows asks whether the group is at the topic's end with events missing. */
const lossCheckMs = 1_000;

export { testLogger };

export interface PipelineHarness {
  readonly config: Config;
  readonly kafka: Kafka;
  readonly db: Knex;
  readonly databaseUrl: string;
  readonly fatalErrors: unknown[];
  /** The eventIds of every message produce() sent that the consumer must store or dead-letter. */
  readonly sentEventIds: ReadonlySet<string>;
  produce(messages: Message[]): Promise<void>;
  produceEvents(events: readonly ProductPurchasedV2[]): Promise<void>;
  startConsumer(groupId?: string, metrics?: IngestMetrics): Promise<RunningConsumer>;
  stopConsumers(): Promise<void>;
  countRows(table?: 'product_events' | 'shipping_addresses'): Promise<number>;
  waitForRows(count: number, table?: 'product_events' | 'shipping_addresses'): Promise<void>;
  readDeadLetters(count: number): Promise<KafkaMessage[]>;
  /** How many dead letters the topic holds (its end offsets), without reading them. */
  deadLetterCount(): Promise<number>;
  /** The eventIds the dead letters carry. */
  deadLetterIds(): Promise<ReadonlySet<string>>;
  /**
   * Waits for the group to commit the topic to its end, then fails naming every sent event neither
   * stored nor dead-lettered; at once on a commit past the end.
   */
  expectNothingLost(options?: LossCheck): Promise<void>;
  close(): Promise<void>;
}

export interface LossCheck {
  /** Default: the harness's group. */
  readonly groupId?: string;
  /** Default: every event sent through produce(). */
  readonly sent?: Iterable<string>;
  /** Throws to end the wait early (a consumer process that died); fatal errors always do. */
  readonly stillRunning?: () => void;
  readonly timeoutMs?: number;
}

export interface HarnessOptions {
  /** Run all migrations first (default true). */
  readonly migrate?: boolean;
  readonly partitions?: number;
  /** Services of the test's own (fault tests); default: the shared ones of services.ts. */
  readonly services?: Pick<TestServices, 'databaseUrl' | 'kafkaBrokers'>;
  /** Overrides of the consumer's environment (e.g. CONSUMER_SESSION_TIMEOUT_MS). */
  readonly env?: Readonly<Record<string, string>>;
}

export async function createPipelineHarness(
  options: HarnessOptions = {},
): Promise<PipelineHarness> {
  const services = options.services ?? (await testServices());
  const scratch: ScratchDatabase = await createScratchDatabase(services.databaseUrl);
  const id = randomBytes(5).toString('hex');
  const config = readConfig({
    DATABASE_URL: scratch.url,
    KAFKA_BROKERS: services.kafkaBrokers.join(','),
    KAFKA_TOPIC: `it-${id}`,
    KAFKA_DLQ_TOPIC: `it-${id}.dlq`,
    KAFKA_GROUP_ID: `it-${id}`,
    KAFKA_TOPIC_PARTITIONS: String(options.partitions ?? 3),
    KAFKA_CLIENT_ID: `it-${id}`,
    // The client under test (npm run test:integration:platformatic); the test's own producer and
    // admin stay on kafkajs, so each suite also checks the two clients read each other's records.
    KAFKA_CLIENT: process.env['KAFKA_CLIENT'] ?? 'kafkajs',
    ...options.env,
  });
  const kafka = referenceKafka(config, testLogger);
  await ensureReadyTopics(config, serviceTopics(config));
  if (options.migrate !== false) await scratch.db.migrate.latest();

  const fatalErrors: unknown[] = [];
  const consumers: RunningConsumer[] = [];
  const sentEventIds = new Set<string>();
  // Every group a consumer of this harness may commit for: processes use the configured one.
  const groupIds = new Set([config.consumerGroupId]);
  // One connect shared by concurrent first sends (a stream and a burst): a second caller must wait
  // for the connection too, or it sends on a producer that is not connected yet.
  let producer: Promise<Producer> | undefined;
  const connectedProducer = () =>
    (producer ??= (async () => {
      const created = referenceProducer(kafka);
      await created.connect().catch((error: unknown) => {
        producer = undefined; // the next send tries again
        throw error;
      });
      return created;
    })());
  const countRows = async (table = 'product_events') => {
    const [row] = await scratch.db(table).count<{ count: string }[]>({ count: '*' });
    return Number(row?.count ?? 0);
  };

  /** Once any group has committed the topic to its end (or past it), every sent event must be
   * settled, and no offset be past the end. */
  const expectNoLossOnceAtEnd = async (sent: readonly string[]) => {
    for (const groupId of groupIds) {
      const { state, lag } = await groupProgress(kafka, groupId, config.topic);
      if (state === 'behind') continue;
      const sources = { db: scratch.db, deadLetterIds: () => harness.deadLetterIds() };
      await expectEverySentEventSettled(sources, sent);
      expectNothingCommittedPastTheEnd(groupId, lag);
    }
  };

  const harness: PipelineHarness = {
    config,
    kafka,
    db: scratch.db,
    databaseUrl: scratch.url,
    fatalErrors,
    sentEventIds,
    async produce(messages) {
      await (await connectedProducer()).send({ topic: config.topic, acks: -1, messages });
      for (const message of messages) {
        const eventId = sentEventId(message.value);
        if (eventId !== undefined) sentEventIds.add(eventId);
      }
    },
    async produceEvents(events) {
      await harness.produce(events.map(toEventMessage));
    },
    async startConsumer(groupId = config.consumerGroupId, metrics?: IngestMetrics) {
      groupIds.add(groupId);
      const consumer = await runConsumer({
        ...(metrics === undefined ? {} : { metrics }),
        config: { ...config, consumerGroupId: groupId },
        messaging: await createMessaging(config, testLogger),
        db: scratch.db,
        logger: testLogger,
        onFatal: (error) => fatalErrors.push(error),
      });
      consumers.push(consumer);
      return consumer;
    },
    async stopConsumers() {
      await settleAll(consumers.splice(0).map((consumer) => () => consumer.stop()));
    },
    countRows,
    async waitForRows(count, table = 'product_events') {
      // Fails as soon as the outcome is known: a fatal error, too many rows, a group that has
      // committed the topic to its end (or past it) while sent events are neither stored nor
      // dead-lettered (named), or no new row for rowStallMs (a consumer retrying for ever would
      // otherwise cost the whole timeout per test).
      let last = -1;
      let progressAt = Date.now();
      let lossCheckedAt = Date.now();
      await waitUntil(`${count} rows in ${table}`, async () => {
        if (fatalErrors.length > 0) throw fatalErrors[0];
        const sent = [...sentEventIds];
        const rows = await countRows(table);
        if (rows > count) throw new Error(`expected ${count} rows in ${table}, found ${rows}`);
        if (rows < count && Date.now() - lossCheckedAt > lossCheckMs) {
          lossCheckedAt = Date.now();
          await expectNoLossOnceAtEnd(sent);
        }
        if (rows !== last) [last, progressAt] = [rows, Date.now()];
        else if (rows < count && Date.now() - progressAt > rowStallMs) {
          throw new Error(`no new row in ${table} for ${rowStallMs} ms: ${rows} of ${count}`);
        }
        return rows === count;
      });
    },
    async readDeadLetters(count) {
      const received: KafkaMessage[] = [];
      const reader = kafka.consumer({ groupId: `it-dlq-reader-${randomBytes(4).toString('hex')}` });
      await reader.connect();
      await reader.subscribe({ topics: [config.dlqTopic], fromBeginning: true });
      await reader.run({
        eachMessage: ({ message }) => {
          received.push(message);
          return Promise.resolve();
        },
      });
      try {
        await waitUntil(`${count} dead letters`, () => Promise.resolve(received.length >= count));
        return received;
      } finally {
        await reader.disconnect();
      }
    },
    async deadLetterCount() {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const offsets = await admin.fetchTopicOffsets(config.dlqTopic);
        return offsets.reduce(
          (sum, partition) => sum + Number(partition.high) - Number(partition.low),
          0,
        );
      } finally {
        await admin.disconnect();
      }
    },
    async deadLetterIds() {
      const count = await harness.deadLetterCount();
      if (count === 0) return new Set<string>();
      const letters = await harness.readDeadLetters(count);
      return new Set(letters.flatMap((letter) => sentEventId(letter.value) ?? []));
    },
    async expectNothingLost(options = {}) {
      await expectNothingLost(
        {
          kafka,
          topic: config.topic,
          groupId: options.groupId ?? config.consumerGroupId,
          db: scratch.db,
          deadLetterIds: () => harness.deadLetterIds(),
          stillRunning: () => {
            if (fatalErrors.length > 0) throw fatalErrors[0];
            options.stillRunning?.();
          },
        },
        options.sent ?? sentEventIds,
        options.timeoutMs,
      );
    },
    async close() {
      // Every step runs even when one before it failed (a consumer that crashed, a broker gone):
      // a connection left open keeps mocha from exiting, and a failed test must still end.
      await settleAll([
        () => harness.stopConsumers(),
        async () => (await producer)?.disconnect(),
        async () => {
          const admin = kafka.admin();
          await admin.connect();
          try {
            // Best effort: a topic left behind costs nothing, the test's verdict stands.
            await admin
              .deleteTopics({ topics: [config.topic, config.dlqTopic] })
              .catch(() => undefined);
          } finally {
            await admin.disconnect();
          }
        },
        () => scratch.drop(),
      ]);
    },
  };
  return harness;
}
