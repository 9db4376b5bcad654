// Generated message streams through the pipeline core (processBatch) into the real database, cut
// into batches at generated places. Whatever a message holds, and wherever the batches split:
// - processBatch never throws;
// - every message ends stored exactly (Postgres re-reads the sent text and compares every column
//   and the address), skipped (another event type), or dead-lettered with a code;
// - the final database and the set of dead letters are the same for every split.
// Runs: PROPERTY_RUNS (default 40), seed fixed under CI; see test/support/property-runs.ts.
import { expect } from 'chai';
import fc from 'fast-check';
import { runCoreBatches } from '../../support/core-batches.ts';
import { batchCuts, messageStream } from '../../support/event-arbitraries.ts';
import { propertyParameters } from '../../support/property-runs.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratch-database.ts';
import { testServices } from '../../support/services.ts';
import { databaseState, storedExactly } from '../../support/stored-projection.ts';

const eventIds = ['evt_1', 'evt_2', 'evt_3', 'évt_4😀'];

interface RunResult {
  readonly state: string;
  /** `offset code` of every dead letter, sorted (one per message at most: a map). */
  readonly letters: string[];
  readonly skipped: number;
}

/** Another event type: the consumer skips it (neither stored nor dead-lettered). */
function isOtherEventType(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    const type = (parsed as { eventType?: unknown } | null)?.eventType;
    return typeof type === 'string' && type !== 'product.purchased';
  } catch {
    return false;
  }
}

describe('processBatch on generated streams, against the real database', function () {
  this.timeout(600_000);
  let scratch: ScratchDatabase;

  before(async () => {
    scratch = await createScratchDatabase((await testServices()).databaseUrl);
    await scratch.db.migrate.latest();
  });
  after(async () => {
    await scratch.drop();
  });

  async function run(values: readonly string[], cuts: readonly number[]): Promise<RunResult> {
    await scratch.db.raw('TRUNCATE product_events, shipping_addresses');
    const bounds = [0, ...cuts, values.length];
    const batches = bounds.slice(1).map((end, i) => values.slice(bounds[i], end));
    const { codes, letterCount, summaries } = await runCoreBatches(scratch.db, batches);
    expect(letterCount, 'one dead letter per message at most').to.equal(codes.size);
    for (const [offset, value] of values.entries()) {
      const code = codes.get(offset);
      if (isOtherEventType(value)) {
        expect(code, `message ${offset} is another event type: skipped`).to.equal(undefined);
      } else if (code === undefined) {
        const exact = await storedExactly(scratch.db, value);
        expect(exact, `message ${offset} stored exactly`).to.equal(true);
        const timestamp = (JSON.parse(value) as { timestamp: string }).timestamp;
        expect(
          timestamp,
          'a stored timestamp has no leap second, at most 6 fractional digits',
        ).to.match(/:[0-5]\d(\.\d{1,6})?([Zz]|[+-]\d\d:\d\d)$/);
      }
    }
    return {
      state: await databaseState(scratch.db),
      letters: [...codes].map(([offset, code]) => `${offset} ${code}`).sort(),
      skipped: summaries.reduce((sum, summary) => sum + summary.skipped, 0),
    };
  }

  it('stores exactly or dead-letters every message, the same way for every split into batches', async () => {
    const stream = messageStream(eventIds).chain((values) =>
      fc.tuple(fc.constant(values), batchCuts(values.length), batchCuts(values.length)),
    );
    await fc.assert(
      fc.asyncProperty(stream, async ([values, cutsA, cutsB]) => {
        const oneBatch = await run(values, []);
        const splitA = await run(values, cutsA);
        const splitB = await run(values, cutsB);
        expect(splitA, 'split A against one batch').to.deep.equal(oneBatch);
        expect(splitB, 'split B against one batch').to.deep.equal(oneBatch);
      }),
      propertyParameters(40),
    );
  });
});
