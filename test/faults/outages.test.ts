// The consumer while the services it depends on go away mid-stream: Postgres stopped for 20 s, the
// Kafka broker restarted. It must ride both out without a fatal error, resume on its own, and
// store every event exactly once, dead-lettering none. Real Kafka and Postgres of the test's own.
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Producer } from 'kafkajs';
import { createProducer } from '../../src/adapters/kafkajs/producer.ts';
import { createPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';
import { waitUntil } from '../support/wait-until.ts';
import {
  deliveryFigures,
  deliveryOf,
  expectEveryEventStoredOnce,
} from './support/delivery-report.ts';
import { startEventStream, type EventStream } from './support/event-stream.ts';
import { startPrivateKafka, type PrivateKafka } from './support/private-kafka.ts';
import { startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.ts';

const postgresOutageMs = 20_000;
// Longer than kafkajs's own retries last (~10 s): the consumer crashes and restarts itself, and
// the producer's sends fail and are sent again.
const brokerOutageMs = 15_000;

describe('the consumer during outages', function () {
  this.timeout(300_000);
  let pg: PrivatePostgres | undefined;
  let kafka: PrivateKafka | undefined;
  let harness: PipelineHarness | undefined;
  let stream: EventStream | undefined;
  let producer: Producer | undefined;
  let postgresDown = false;
  let kafkaDown = false;

  before(async () => {
    [pg, kafka] = await Promise.all([startPrivatePostgres(), startPrivateKafka()]);
  });

  beforeEach(async () => {
    harness = await createPipelineHarness({
      services: { databaseUrl: pg!.url, kafkaBrokers: kafka!.brokers },
    });
  });

  afterEach(async () => {
    stream?.stop();
    await stream?.finished.catch(() => undefined);
    stream = undefined;
    // A test that failed mid-outage leaves the service down: bring it back to clean up.
    if (postgresDown) await pg?.start().catch(() => undefined);
    if (kafkaDown) await kafka?.start().catch(() => undefined);
    postgresDown = kafkaDown = false;
    await producer?.disconnect().catch(() => undefined);
    producer = undefined;
    await harness?.close();
    harness = undefined;
  });

  after(async () => {
    try {
      await kafka?.destroy();
    } finally {
      await pg?.destroy();
    }
  });

  /** The stored rows, or undefined while Postgres does not answer. */
  const rowsNow = async (h: PipelineHarness) => {
    try {
      return await h.countRows();
    } catch {
      return undefined;
    }
  };

  /** Fails at once when the consumer gave up. */
  const expectNoFatalError = (h: PipelineHarness) => {
    expect(h.fatalErrors.map(String), 'fatal errors of the consumer').to.deep.equal([]);
  };

  // Ends as soon as the group is at the topic's end, naming any event neither stored nor
  // dead-lettered; at once on a fatal error or a commit past the end.
  const waitForAllStored = (h: PipelineHarness, events: EventStream) =>
    h.expectNothingLost({
      sent: events.ids,
      stillRunning: () => expectNoFatalError(h),
      timeoutMs: 180_000,
    });

  it('survives Postgres stopped for 20 s mid-stream, resumes within seconds of its return, and stores every event exactly once', async () => {
    const h = harness!;
    await h.startConsumer();
    let phase: 'before' | 'down' | 'after' = 'before';
    let producedAtReturn = 0;
    const events: EventStream = startEventStream({
      send: (messages) => h.produce(messages),
      ratePerSecond: 80,
      minCount: 2_500,
      // However long the outage and the restart take, go on for 500 events after it.
      continueWhile: () => phase !== 'after' || events.sent() - producedAtReturn < 500,
    });
    stream = events;

    await waitUntil('events stored before the outage', async () => (await h.countRows()) >= 400);
    const producedBeforeOutage = events.sent();
    phase = 'down';
    postgresDown = true;
    await pg!.stop('fast');
    const downAt = performance.now();
    await sleep(postgresOutageMs); // the outage itself, not a wait for a result
    const producedDuringOutage = events.sent() - producedBeforeOutage;
    await pg!.start();
    postgresDown = false;
    const upAt = performance.now();
    producedAtReturn = events.sent();
    phase = 'after';

    // Rows stored before the outage: a row's created_at is its transaction's start, so those of
    // the stopped server's life are older than the restarted server.
    const storedBefore = await waitUntil(
      'Postgres to answer again',
      async () => {
        try {
          const result = await h.db.raw<{ rows: { count: number }[] }>(
            'SELECT count(*)::int AS count FROM product_events WHERE created_at < pg_postmaster_start_time()',
          );
          return { count: result.rows[0]?.count ?? 0 };
        } catch {
          return undefined;
        }
      },
      60_000,
      50,
    );
    const resumedAt = await waitUntil(
      'the first rows stored after Postgres returned',
      async () => {
        expectNoFatalError(h);
        return ((await rowsNow(h)) ?? 0) > storedBefore.count ? performance.now() : undefined;
      },
      60_000,
      50,
    );
    const resumeMs = Math.round(resumedAt - upAt);

    await events.finished;
    await waitForAllStored(h, events);
    const delivery = await deliveryOf(h, events);
    console.log(
      JSON.stringify({
        scenario: 'postgres stopped 20 s',
        ...deliveryFigures(delivery),
        outageMs: Math.round(upAt - downAt),
        producedDuringOutage,
        resumeMs,
        fatalErrors: h.fatalErrors.length,
        sendFailures: events.sendFailures(),
      }),
    );

    expectNoFatalError(h);
    expect(upAt - downAt, 'outage, ms').to.be.at.least(postgresOutageMs);
    expect(producedDuringOutage, 'events produced while Postgres was down').to.be.above(0);
    expect(delivery.produced - producedAtReturn, 'events produced after it returned').to.be.above(
      0,
    );
    expect(resumeMs, 'ms from Postgres back to the next stored row').to.be.below(10_000);
    expectEveryEventStoredOnce(delivery);
  });

  it('survives the Kafka broker stopped for 15 s and restarted mid-stream, and stores every event produced before and after it exactly once', async () => {
    const h = harness!;
    await h.startConsumer();
    const connected = createProducer(h.kafka);
    await connected.connect();
    producer = connected;
    let phase: 'before' | 'restarting' | 'after' = 'before';
    let producedAtReturn = 0;
    const events: EventStream = startEventStream({
      send: async (messages) => {
        await connected.send({ topic: h.config.topic, acks: -1, messages });
      },
      ratePerSecond: 60,
      minCount: 2_000,
      // Whatever the broker's restart takes, go on for 1 000 events after it.
      continueWhile: () => phase !== 'after' || events.sent() - producedAtReturn < 1_000,
    });
    stream = events;

    await waitUntil('events stored before the restart', async () => (await h.countRows()) >= 400);
    const producedBeforeRestart = events.sent();
    phase = 'restarting';
    kafkaDown = true;
    const stopAt = performance.now();
    await kafka!.stop();
    await sleep(brokerOutageMs); // the outage itself, not a wait for a result
    await kafka!.start();
    kafkaDown = false;
    const upAt = performance.now();
    producedAtReturn = events.sent();
    phase = 'after';
    const rowsAtReturn = (await rowsNow(h)) ?? 0;
    const resumedAt = await waitUntil(
      'the first rows stored after the broker returned',
      async () => {
        expectNoFatalError(h);
        return ((await rowsNow(h)) ?? 0) > rowsAtReturn ? performance.now() : undefined;
      },
      120_000,
      50,
    );

    await events.finished;
    await waitForAllStored(h, events);
    const delivery = await deliveryOf(h, events);
    console.log(
      JSON.stringify({
        scenario: 'kafka broker stopped 15 s, restarted',
        ...deliveryFigures(delivery),
        brokerDownMs: Math.round(upAt - stopAt),
        producedBeforeRestart,
        producedAfterRestart: delivery.produced - producedAtReturn,
        resumeMs: Math.round(resumedAt - upAt),
        fatalErrors: h.fatalErrors.length,
        sendFailures: events.sendFailures(),
      }),
    );

    expectNoFatalError(h);
    expect(upAt - stopAt, 'broker down, ms').to.be.at.least(brokerOutageMs);
    expect(producedBeforeRestart, 'events produced before the restart').to.be.above(0);
    expect(delivery.produced - producedAtReturn, 'events produced after it').to.be.at.least(1_000);
    expectEveryEventStoredOnce(delivery);
  });
});
