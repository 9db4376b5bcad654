// A write that fails for a passing reason is retried until it passes, and never costs an event a
// dead letter: the database, not the event, was at fault. The test's own lock on product_events
// holds the consumer's write, and the database's lock_timeout (or statement_timeout) makes every
// attempt fail with 55P03 (or 57014) for as long as the lock is held. Then the lock goes: every
// event is stored, the dead-letter topic stays empty. Should such an error be taken for the event's
// fault, the batch would be halved down to single events and dead-lettered within seconds:
// the test watches the dead-letter topic while the write fails, and fails as soon as it fills.
import { expect } from 'chai';
import { generateNewEvent, generateOldEvent } from '../../../src/apps/producer/generate-event.ts';
import { consumerProcesses, expectRunning } from '../../support/consumer-process.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';
import { lockTable, type TableLock } from '../../support/table-lock.ts';
import { waitUntil } from '../../support/wait-until.ts';

const retryLog = 'batch failed for a passing reason, retrying';
/** Failed attempts to see before the lock goes: enough for a halving to have dead-lettered. */
const failedAttempts = 4;

const timeouts = [
  { setting: 'lock_timeout', sqlState: '55P03', what: 'the table locked past lock_timeout' },
  { setting: 'statement_timeout', sqlState: '57014', what: 'a statement timeout' },
] as const;

describe('a write that fails for a passing reason', function () {
  this.timeout(90_000);
  let harness: PipelineHarness;
  let lock: TableLock | undefined;
  const consumers = consumerProcesses(() => harness);

  beforeEach(async () => {
    harness = await createPipelineHarness({ partitions: 1 });
  });
  afterEach(async () => {
    await consumers.killAll();
    await lock?.release();
    await harness.close();
  });

  for (const { setting, sqlState, what } of timeouts) {
    it(`is retried until it passes, and nothing reaches the dead-letter topic: ${what} (${sqlState})`, async () => {
      // Every session the consumer process opens on this database gets the short timeout.
      const [{ name }] = (
        await harness.db.raw<{ rows: [{ name: string }] }>('SELECT current_database() AS name')
      ).rows;
      await harness.db.raw(`ALTER DATABASE ?? SET ${setting} = '300ms'`, [name]);
      lock = await lockTable(harness.databaseUrl, 'product_events');
      const events = Array.from({ length: 10 }, (_, i) =>
        i % 2 === 0 ? generateOldEvent() : generateNewEvent(),
      );
      await harness.produceEvents(events);
      const consumer = consumers.start();

      const retries = () => consumer.output().split(retryLog).length - 1;
      await waitUntil(
        `${failedAttempts} failed attempts to write the batch`,
        async () => {
          expectRunning(consumer);
          expect(await harness.deadLetterCount(), 'dead letters while the write fails').to.equal(0);
          return retries() >= failedAttempts;
        },
        60_000,
        100,
      );
      expect(consumer.output(), 'the reason of the failed attempts').to.include(sqlState);
      expect(await harness.countRows(), 'rows while the table is locked').to.equal(0);

      await lock.release();
      await harness.expectNothingLost({ stillRunning: () => expectRunning(consumer) });
      const stored = await harness.db('product_events').orderBy('event_id').pluck('event_id');
      expect(stored, 'stored event ids').to.deep.equal(events.map((e) => e.eventId).sort());
      expect(await harness.deadLetterCount(), 'dead letters').to.equal(0);
    });
  }
});
