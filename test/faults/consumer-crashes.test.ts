// The consumer process killed with SIGKILL (no shutdown, no last commit) again and again while a
// stream of events flows: every event must still be stored exactly once, nothing dead-lettered.
// Real Kafka and Postgres of the test's own; the consumer runs as `npm run consumer` would.
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { createPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';
import { runScript, type RunningScript } from '../support/run-script.ts';
import { waitUntil } from '../support/wait-until.ts';
import {
  deliveryFigures,
  deliveryOf,
  expectEveryEventStoredOnce,
} from './support/delivery-report.ts';
import { startEventStream, type EventStream } from './support/event-stream.ts';
import { startPrivateKafka, type PrivateKafka } from './support/private-kafka.ts';
import { startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.ts';

const kills = 12;
const minEvents = 20_000;
const eventsPerSecond = 400;
const partitions = 4;

interface Kill {
  /** product_events rows when the consumer was killed. */
  readonly rows: number;
  /** Events the broker had acknowledged by then. */
  readonly produced: number;
  /** Rows whose offsets the killed consumer had not committed: the next one re-reads them. */
  readonly storedNotCommitted: number;
}

const isRunning = (script: RunningScript) =>
  script.child.exitCode === null && script.child.signalCode === null;

function expectRunning(script: RunningScript): void {
  if (!isRunning(script)) {
    const how = script.child.signalCode ?? `exit code ${script.child.exitCode}`;
    throw new Error(`the consumer died on its own (${how}):\n${script.output().slice(-4000)}`);
  }
}

describe('the consumer process, killed with SIGKILL at random moments during a stream', function () {
  this.timeout(480_000);
  let pg: PrivatePostgres | undefined;
  let kafka: PrivateKafka | undefined;
  let harness: PipelineHarness | undefined;
  let consumer: RunningScript | undefined;
  let stream: EventStream | undefined;

  before(async () => {
    [pg, kafka] = await Promise.all([startPrivatePostgres(), startPrivateKafka()]);
    harness = await createPipelineHarness({
      services: { databaseUrl: pg.url, kafkaBrokers: kafka.brokers },
      partitions,
    });
  });

  after(async () => {
    stream?.stop();
    await stream?.finished.catch(() => undefined);
    if (consumer !== undefined && isRunning(consumer)) {
      consumer.child.kill('SIGKILL');
      await consumer.exited;
    }
    try {
      await harness?.close();
    } finally {
      await kafka?.destroy();
      await pg?.destroy();
    }
  });

  it(`stores every one of ${minEvents}+ events exactly once and dead-letters none, though killed ${kills} times`, async () => {
    const h = harness!;
    const env = {
      DATABASE_URL: h.databaseUrl,
      KAFKA_BROKERS: h.config.kafkaBrokers.join(','),
      KAFKA_TOPIC: h.config.topic,
      KAFKA_DLQ_TOPIC: h.config.dlqTopic,
      KAFKA_GROUP_ID: h.config.consumerGroupId,
      // The group gives a killed member's partitions to the next one after 6 s, not 30.
      CONSUMER_SESSION_TIMEOUT_MS: '6000',
      LOG_LEVEL: 'warn',
    };
    const startConsumer = () => runScript('src/consumer/main.ts', [], env);
    /** Per partition: the group's committed offset (0 when none) and the topic's end offset. */
    const groupOffsets = async () => {
      const admin = h.kafka.admin();
      await admin.connect();
      try {
        const [ends, [committed]] = await Promise.all([
          admin.fetchTopicOffsets(h.config.topic),
          admin.fetchOffsets({ groupId: h.config.consumerGroupId, topics: [h.config.topic] }),
        ]);
        return ends.map(({ partition, high }) => {
          const offset = committed?.partitions.find((p) => p.partition === partition)?.offset;
          return { partition, committed: Math.max(0, Number(offset ?? -1)), end: Number(high) };
        });
      } finally {
        await admin.disconnect();
      }
    };
    // A new topic starts at offset 0 and this producer never writes an event twice (no send is
    // retried: see sendFailures), so committed offsets count the events committed.
    const committedEvents = async () =>
      (await groupOffsets()).reduce((sum, { committed }) => sum + committed, 0);

    const done: Kill[] = [];
    const startedAt = performance.now();
    // The stream goes on until the last kill, so every kill lands mid-stream.
    const events = startEventStream({
      send: (messages) => h.produce(messages),
      ratePerSecond: eventsPerSecond,
      minCount: minEvents,
      continueWhile: () => done.length < kills,
    });
    stream = events;

    consumer = startConsumer();
    while (done.length < kills) {
      const running = consumer;
      // A random moment of the consumer's work: 0.3–2.5 s after it (re)started storing events.
      // (Counted from its first rows, not from the spawn: a process killed while it still waits
      // for the group to drop its killed predecessor would never have consumed anything.)
      const rowsAtStart = await h.countRows();
      await waitUntil(
        'the (re)started consumer to store events',
        async () => {
          expectRunning(running);
          return (await h.countRows()) > rowsAtStart;
        },
        120_000,
        50,
      );
      await sleep(randomInt(300, 2501));
      expectRunning(running);
      running.child.kill('SIGKILL');
      await running.exited;
      expect(running.child.signalCode, 'how the consumer ended').to.equal('SIGKILL');
      const rows = await h.countRows();
      const produced = events.sent();
      done.push({ rows, produced, storedNotCommitted: rows - (await committedEvents()) });
      consumer = startConsumer();
    }

    await events.finished;
    const last = consumer;
    await waitUntil(
      `all ${events.sent()} events stored after the last restart`,
      async () => {
        expectRunning(last);
        return (await h.countRows()) >= events.sent();
      },
      180_000,
      250,
    );
    last.child.kill('SIGTERM');
    const exitCode = await Promise.race([
      last.exited,
      sleep(60_000, 'still running after 60 s', { ref: false }),
    ]);
    const seconds = Math.round((performance.now() - startedAt) / 1000);
    const uncommittedPartitions = (await groupOffsets()).filter((p) => p.committed !== p.end);

    const delivery = await deliveryOf(h, events);
    const midStream = done.filter((kill) => kill.rows > 0 && kill.rows < delivery.produced);
    console.log(
      JSON.stringify({
        scenario: `kill -9 x${done.length}`,
        ...deliveryFigures(delivery),
        partitions,
        killsMidStream: midStream.length,
        rowsAtKills: done.map((kill) => kill.rows),
        backlogAtKills: done.map((kill) => kill.produced - kill.rows),
        storedNotCommittedAtKills: done.map((kill) => kill.storedNotCommitted),
        sendFailures: events.sendFailures(),
        seconds,
      }),
    );

    expect(exitCode, `exit code on SIGTERM; output:\n${last.output().slice(-4000)}`).to.equal(0);
    expect(uncommittedPartitions, 'partitions not committed to their end').to.deep.equal([]);
    expect(done.length, 'kills').to.be.at.least(10);
    expect(delivery.produced, 'events produced').to.be.at.least(minEvents);
    expect(midStream.length, 'kills with some but not all events stored').to.be.at.least(
      Math.ceil(done.length * 0.8),
    );
    expectEveryEventStoredOnce(delivery);
  });
});
