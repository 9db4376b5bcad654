// SIGTERM while a batch is in flight (its write held by a table lock): the consumer waits for the
// batch, commits it, leaves the group and exits 0. Leaving matters: a member that just vanishes
// keeps its partitions until its session times out, so its successor idles that long.
import { expect } from 'chai';
import { generateNewEvent, generateOldEvent } from '../../../src/apps/producer/generate-event.ts';
import { consumerProcesses, exitWithin, expectRunning } from '../../support/consumer-process.ts';
import { groupLag, groupMembership } from '../../support/group-progress.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';
import { lockTable, type TableLock } from '../../support/table-lock.ts';
import { waitUntil } from '../../support/wait-until.ts';

// Long, so a successor that gets the partitions within a few seconds proves the member left.
const sessionTimeoutMs = 45_000;

describe('a clean stop (SIGTERM) with a batch in flight', function () {
  this.timeout(60_000);
  let harness: PipelineHarness;
  let lock: TableLock | undefined;
  const consumers = consumerProcesses(() => harness);

  beforeEach(async () => {
    harness = await createPipelineHarness({ partitions: 2 });
  });
  afterEach(async () => {
    await consumers.killAll();
    await lock?.release();
    await harness.close();
  });

  it('finishes and commits the batch, exits 0 and leaves the group: a successor gets the partitions at once', async () => {
    const events = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0 ? generateOldEvent() : generateNewEvent(),
    );
    lock = await lockTable(harness.databaseUrl, 'product_events');
    await harness.produceEvents(events);
    const consumer = consumers.start({ CONSUMER_SESSION_TIMEOUT_MS: String(sessionTimeoutMs) });
    await waitUntil(
      'the consumer to wait on the held write',
      async () => {
        expectRunning(consumer);
        return ((await lock?.waiters()) ?? 0) > 0;
      },
      60_000, // a consumer process starting and joining on a loaded CI machine took over 30 s once
      50,
    );

    consumer.child.kill('SIGTERM');
    // Only time shows that a process waits; one second is far longer than an exit takes.
    expect(await exitWithin(consumer, 1_000), 'the consumer after SIGTERM, write held').to.equal(
      'still running',
    );
    await lock.release();
    expect(await exitWithin(consumer, 15_000), `exit code; output:\n${consumer.output()}`).to.equal(
      0,
    );

    const offsets = await groupLag(
      harness.kafka,
      harness.config.consumerGroupId,
      harness.config.topic,
    );
    const committed = offsets.reduce((sum, p) => sum + Math.max(0, p.committed), 0);
    const stored = await harness.db('product_events').orderBy('event_id').pluck('event_id');
    const sent = events.map((event) => event.eventId).sort();
    expect(stored, 'stored event ids').to.deep.equal(sent);
    expect(await harness.deadLetterCount(), 'dead letters').to.equal(0);
    expect(committed, 'offsets committed').to.equal(events.length);
    expect(offsets.filter((p) => p.committed !== p.end && p.end > 0)).to.deep.equal([]);

    // Asked before a successor joins: a member that did not leave would keep it waiting 45 s.
    expect(
      await groupMembership(harness.kafka, harness.config.consumerGroupId),
      'the group right after the exit',
    ).to.deep.equal({ state: 'Empty', members: 0 });
    const startedAt = performance.now();
    const successor = await harness.startConsumer();
    await waitUntil(
      'the successor to hold both partitions',
      () => Promise.resolve(successor.status.snapshot().partitions.length === 2),
      10_000,
      50,
    );
    const joinedAfterMs = performance.now() - startedAt;
    expect(joinedAfterMs, 'ms until the successor held the partitions').to.be.below(
      sessionTimeoutMs / 4,
    );
  });
});
