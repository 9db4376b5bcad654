// Group churn while the database is down: three consumer processes share six partitions, Postgres
// stops for 20 s, and during the outage one consumer is killed and a fourth started. Every
// survivor is retrying when the group rebalances under it; a rebalance must make it abandon the
// batch and rejoin, never exit. After Postgres returns, every event is stored exactly once.
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { createPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';
import { runScript, type RunningScript } from '../support/run-script.ts';
import { testServices } from '../support/services.ts';
import { waitUntil } from '../support/wait-until.ts';
import {
  deliveryFigures,
  deliveryOf,
  expectEveryEventStoredOnce,
} from './support/delivery-report.ts';
import { startEventStream, type EventStream } from './support/event-stream.ts';
import { memberAssignments } from './support/group-members.ts';
import { startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.ts';

const postgresOutageMs = 20_000;
/** Into the outage before the membership changes: every consumer is retrying by then. */
const churnAfterMs = 4_000;

describe('a consumer group whose membership changes while Postgres is down', function () {
  this.timeout(420_000);
  let pg: PrivatePostgres;
  let harness: PipelineHarness;
  let stream: EventStream | undefined;
  let postgresDown = false;
  const consumers: RunningScript[] = [];

  before(async () => {
    pg = await startPrivatePostgres();
    const { kafkaBrokers } = await testServices();
    harness = await createPipelineHarness({
      partitions: 6,
      services: { databaseUrl: pg.url, kafkaBrokers },
    });
  });
  after(async () => {
    stream?.stop();
    await stream?.finished.catch(() => undefined);
    for (const consumer of consumers) consumer.child.kill('SIGKILL');
    if (postgresDown) await pg.start().catch(() => undefined);
    try {
      await harness.close();
    } finally {
      await pg.destroy();
    }
  });

  const startConsumer = () => {
    const consumer = runScript('src/apps/consumer/main.ts', [], {
      DATABASE_URL: harness.databaseUrl,
      KAFKA_BROKERS: harness.config.kafkaBrokers.join(','),
      KAFKA_TOPIC: harness.config.topic,
      KAFKA_DLQ_TOPIC: harness.config.dlqTopic,
      KAFKA_GROUP_ID: harness.config.consumerGroupId,
      CONSUMER_SESSION_TIMEOUT_MS: '6000', // a killed member's partitions move on within seconds
      LOG_LEVEL: 'info', // the test reads that a rebalance did reach a retrying consumer
    });
    consumers.push(consumer);
    return consumer;
  };
  const members = () =>
    memberAssignments(harness.kafka, harness.config.consumerGroupId, harness.config.topic);
  const hasExited = (consumer: RunningScript) =>
    consumer.child.exitCode !== null || consumer.child.signalCode !== null;
  const tail = (consumer: RunningScript) => consumer.output().slice(-4_000);
  /** Fails at once when a consumer that should be running has exited. */
  const expectRunning = (survivors: readonly RunningScript[]) => {
    for (const [index, consumer] of survivors.entries()) {
      expect(
        hasExited(consumer),
        `survivor ${index} exited; its output:\n${tail(consumer)}`,
      ).to.equal(false);
    }
  };
  const rowsNow = async () => {
    try {
      return await harness.countRows();
    } catch {
      return undefined; // Postgres is down
    }
  };

  it('keeps every survivor running through rebalances during a 20 s outage and stores every event exactly once', async () => {
    const [first, second, third] = [startConsumer(), startConsumer(), startConsumer()];
    await waitUntil('three members with two partitions each', async () => {
      const now = await members();
      return now.length === 3 && now.every((partitions) => partitions.length === 2);
    });

    let phase: 'before' | 'down' | 'after' = 'before';
    let producedAtReturn = 0;
    const events: EventStream = startEventStream({
      send: (messages) => harness.produce(messages),
      ratePerSecond: 150,
      minCount: 4_000,
      continueWhile: () => phase !== 'after' || events.sent() - producedAtReturn < 1_000,
    });
    stream = events;
    await waitUntil('events stored before the outage', async () => ((await rowsNow()) ?? 0) >= 500);

    phase = 'down';
    postgresDown = true;
    await pg.stop('fast');
    const downAt = performance.now();
    await sleep(churnAfterMs);
    second.child.kill('SIGKILL');
    const fourth = startConsumer();
    const survivors = [first, third, fourth];
    await sleep(postgresOutageMs - (performance.now() - downAt));
    expectRunning(survivors);
    await pg.start();
    postgresDown = false;
    const upAt = performance.now();
    producedAtReturn = events.sent();
    phase = 'after';

    const rowsAtReturn = await waitUntil('Postgres to answer again', rowsNow, 60_000, 50);
    const recoveredAt = await waitUntil(
      'the first rows stored after Postgres returned',
      async () => {
        expectRunning(survivors);
        return ((await rowsNow()) ?? 0) > rowsAtReturn ? performance.now() : undefined;
      },
      60_000,
      50,
    );

    await events.finished;
    // Ends once the group is at the topic's end, naming any event neither stored nor
    // dead-lettered; at once when a survivor exits or the group commits past the end.
    await harness.expectNothingLost({
      sent: events.ids,
      stillRunning: () => expectRunning(survivors),
      timeoutMs: 180_000,
    });
    const after = await members();
    const delivery = await deliveryOf(harness, events);
    console.log(
      JSON.stringify({
        scenario: 'postgres down 20 s, 1 of 3 consumers killed and a 4th started during it',
        ...deliveryFigures(delivery),
        outageMs: Math.round(upAt - downAt),
        recoverMs: Math.round(recoveredAt - upAt),
        survivorsRunning: survivors.filter((consumer) => !hasExited(consumer)).length,
        rejoinedMidBatch: survivors.filter((consumer) =>
          consumer.output().includes('consumer group changed under the batch'),
        ).length,
        membersAfter: after.length,
      }),
    );

    expectRunning(survivors);
    const rejoinedMidBatch = survivors.filter((consumer) =>
      consumer.output().includes('consumer group changed under the batch'),
    ).length;
    expect(rejoinedMidBatch, 'survivors a rebalance reached mid-batch').to.be.above(0);
    expect(upAt - downAt, 'outage, ms').to.be.at.least(postgresOutageMs);
    expect(after.length, 'group members after recovery').to.equal(3);
    expect(after.flat().sort(), 'partitions held after recovery').to.deep.equal([0, 1, 2, 3, 4, 5]);
    expectEveryEventStoredOnce(delivery);
  });
});
