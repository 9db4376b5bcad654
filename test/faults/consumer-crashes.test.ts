// The consumer process killed with SIGKILL (no shutdown, no last commit) again and again while a
// stream of events flows and while it drains a large backlog: at every kill the group must have
// committed no event that was not stored, and in the end every event is stored exactly once,
// nothing dead-lettered. Real Kafka and Postgres of the test's own; the consumer runs as
// `npm run consumer` would.
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { toEventMessage } from '../../src/apps/producer/event-message.ts';
import { generateNewEvent, generateOldEvent } from '../../src/apps/producer/generate-event.ts';
import { createPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';
import { isRunning, expectRunning } from '../support/consumer-process.ts';
import { runScript, type RunningScript } from '../support/run-script.ts';
import { groupLag } from '../support/group-progress.ts';
import { waitUntil } from '../support/wait-until.ts';
import {
  deliveryFigures,
  deliveryOf,
  expectEveryEventStoredOnce,
} from './support/delivery-report.ts';
import {
  commitSnapshot,
  committedCount,
  committedNotStored,
  eventIdsByOffset,
  type CommitSnapshot,
} from './support/commit-audit.ts';
import { startEventStream, type EventStream } from './support/event-stream.ts';
import { startPrivateKafka, type PrivateKafka } from './support/private-kafka.ts';
import { startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.ts';

// Each kill lands at a random point of a drain and is audited on its own; eight keep the run
// near three minutes of `npm test` (twelve took nearly five).
const kills = 8;
const minEvents = 20_000;
const eventsPerSecond = 400;
const partitions = 4;
/** Sent while the consumer is down, before each restart: it is killed while draining these. */
const backlogBurst = 5_000;
/** At least this many events produced and not stored at each kill. */
const minBacklogAtKill = 1_000;

interface Kill {
  /** product_events rows when the consumer was killed. */
  readonly rows: number;
  /** Events the broker had acknowledged by then. */
  readonly produced: number;
  /** Rows whose offsets the killed consumer had not committed: the next one re-reads them. */
  readonly storedNotCommitted: number;
  readonly snapshot: CommitSnapshot;
}

describe('the consumer process, killed with SIGKILL while draining a backlog during a stream', function () {
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

  it(`never commits an unstored event, and stores every one of ${minEvents}+ events exactly once, though killed ${kills} times`, async () => {
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
    const startConsumer = () => runScript('src/apps/consumer/main.ts', [], env);

    // Bursts, sent while the consumer is down, so that each restarted consumer has a large backlog
    // to drain: a kill then lands with batches in flight on every partition, not on an idle consumer.
    const burstIds = new Set<string>();
    const burstIdsWithAddress = new Set<string>();
    const sendBurst = async () => {
      for (let sent = 0; sent < backlogBurst; sent += 1_000) {
        const chunk = Array.from({ length: 1_000 }, (_, i) =>
          i % 2 === 0 ? generateOldEvent() : generateNewEvent(),
        );
        await h.produce(chunk.map(toEventMessage));
        for (const event of chunk) {
          burstIds.add(event.eventId);
          if (event.shippingAddress !== undefined) burstIdsWithAddress.add(event.eventId);
        }
      }
    };

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
    const produced = () => events.sent() + burstIds.size;

    await sendBurst();
    consumer = startConsumer();
    while (done.length < kills) {
      const running = consumer;
      // A random moment of the drain: once 5–50 % of the backlog found at the restart is stored.
      // (Counted in rows, not time from the spawn: a process killed while it still waits for the
      // group to drop its killed predecessor would never have consumed anything.)
      const rowsAtStart = await h.countRows();
      const target =
        rowsAtStart + 1 + Math.floor(((produced() - rowsAtStart) * randomInt(5, 51)) / 100);
      await waitUntil(
        'the (re)started consumer to drain part of its backlog',
        async () => {
          expectRunning(running);
          return (await h.countRows()) >= target;
        },
        120_000,
        20,
      );
      running.child.kill('SIGKILL');
      await running.exited;
      expect(running.child.signalCode, 'how the consumer ended').to.equal('SIGKILL');
      const producedAtKill = produced();
      const snapshot = await commitSnapshot(h);
      const rows = snapshot.storedIds.size;
      // A new topic starts at offset 0 and no event is written twice (no send is retried: see
      // sendFailures), so committed offsets count events: more committed than stored is a loss.
      expect(committedCount(snapshot), `events committed at kill ${done.length + 1}`).to.be.at.most(
        rows,
      );
      done.push({
        rows,
        produced: producedAtKill,
        storedNotCommitted: rows - committedCount(snapshot),
        snapshot,
      });
      await sendBurst();
      consumer = startConsumer();
    }

    await events.finished;
    const last = consumer;
    // Ends once the group is at the topic's end, naming any event neither stored nor dead-lettered.
    await h.expectNothingLost({
      sent: [...events.ids, ...burstIds],
      stillRunning: () => expectRunning(last),
      timeoutMs: 180_000,
    });
    last.child.kill('SIGTERM');
    const exitCode = await Promise.race([
      last.exited,
      sleep(60_000, 'still running after 60 s', { ref: false }),
    ]);
    const seconds = Math.round((performance.now() - startedAt) / 1000);
    const lag = await groupLag(h.kafka, h.config.consumerGroupId, h.config.topic);
    const uncommittedPartitions = lag.filter((p) => p.committed !== p.end);

    const idsByOffset = await eventIdsByOffset(h.kafka, h.config.topic);
    const committedNotStoredAtKills = done.map((kill) =>
      committedNotStored(kill.snapshot, idsByOffset),
    );
    const delivery = await deliveryOf(h, {
      ids: new Set([...events.ids, ...burstIds]),
      idsWithAddress: new Set([...events.idsWithAddress, ...burstIdsWithAddress]),
    });
    const midStream = done.filter((kill) => kill.rows > 0 && kill.rows < delivery.produced);
    const backlogAtKills = done.map((kill) => kill.produced - kill.rows);
    console.log(
      JSON.stringify({
        scenario: `kill -9 x${done.length} while draining`,
        ...deliveryFigures(delivery),
        partitions,
        killsMidStream: midStream.length,
        rowsAtKills: done.map((kill) => kill.rows),
        backlogAtKills,
        storedNotCommittedAtKills: done.map((kill) => kill.storedNotCommitted),
        committedNotStoredAtKills: committedNotStoredAtKills.map((missing) => missing.length),
        sendFailures: events.sendFailures(),
        seconds,
      }),
    );

    expect(exitCode, `exit code on SIGTERM; output:\n${last.output().slice(-4000)}`).to.equal(0);
    expect(uncommittedPartitions, 'partitions not committed to their end').to.deep.equal([]);
    expect(done.length, 'kills').to.equal(kills);
    expect(delivery.produced, 'events produced').to.be.at.least(minEvents);
    expect(midStream.length, 'kills with some but not all events stored').to.be.at.least(
      Math.ceil(done.length * 0.8),
    );
    expect(
      backlogAtKills.filter((backlog) => backlog < minBacklogAtKill),
      `kills with fewer than ${minBacklogAtKill} events waiting`,
    ).to.deep.equal([]);
    committedNotStoredAtKills.forEach((missing, kill) =>
      expect(
        missing.slice(0, 5),
        `kill ${kill + 1}: ${missing.length} committed events not stored, e.g.`,
      ).to.deep.equal([]),
    );
    expectEveryEventStoredOnce(delivery);
  });
});
