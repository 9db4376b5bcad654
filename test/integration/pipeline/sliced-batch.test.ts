// A partition batch settled in slices (process-batch.ts, slice-batch.ts), against the real
// database: each slice stored and dead-lettered before the next is decoded, copies of one eventId
// judged across slices as within one batch, a refusal in a later slice isolated, and a retry that
// goes on from the slice that failed.
import { expect } from 'chai';
import type { OutboundMessage } from '../../../src/messaging/message.ts';
import {
  SlicedBatch,
  type BatchDependencies,
  type BatchSummary,
} from '../../../src/pipeline/process-batch.ts';
import { deadLetterHeaders } from '../../../src/pipeline/to-dead-letter.ts';
import { storageSchemaProbe } from '../../../src/storage/storage-schema.ts';
import { runCoreBatches } from '../../support/core-batches.ts';
import { migratedDatabasePerTest } from '../../support/scratch-database.ts';
import { exampleV1Event } from '../../unit/fixtures.ts';

const event = (eventId: string, quantity = 1) =>
  JSON.stringify({ ...exampleV1Event(), eventId, quantity });
const source = { topic: 'sliced', partition: 0, group: 'sliced-test' };
const oneMessagePerSlice = { maxBytes: 1, maxMessages: 1 };

describe('a batch settled in slices', () => {
  const scratch = migratedDatabasePerTest();

  const rowCount = async () =>
    Number((await scratch.db('product_events').count<{ n: string }[]>({ n: '*' }))[0]?.n);
  const letterOffsets = (letters: readonly OutboundMessage[]) =>
    letters.map((letter) => String(letter.headers?.[deadLetterHeaders.offset]));

  function sliced(values: readonly string[], deps: Partial<BatchDependencies>) {
    const messages = values.map((value, offset) => ({
      key: null,
      value: Buffer.from(value),
      offset: String(offset),
    }));
    const letters: OutboundMessage[] = [];
    const batch = new SlicedBatch(
      {
        db: scratch.db,
        storageSchema: storageSchemaProbe(scratch.db),
        sendDeadLetters: (sent) => {
          letters.push(...sent);
          return Promise.resolve();
        },
        sliceMaxBytes: 1_000_000,
        sliceMaxMessages: 2,
        ...deps,
      },
      source,
      messages,
    );
    return { batch, letters };
  }

  it('stores and dead-letters each slice before it decodes the next, heartbeating between them', async () => {
    const seen: { rows: number; letters: string[] }[] = [];
    const { batch, letters } = sliced(
      [event('evt_a'), '{"not": json', event('evt_b'), event('evt_c'), '', event('evt_d')],
      {
        keepAlive: async () => {
          seen.push({ rows: await rowCount(), letters: letterOffsets(letters) });
        },
      },
    );

    const summary = await batch.settle();

    expect(seen, 'what the database and the dead-letter topic hold between slices').to.deep.equal([
      { rows: 1, letters: ['1'] },
      { rows: 3, letters: ['1'] },
    ]);
    expect(await rowCount()).to.equal(4);
    expect(letterOffsets(letters)).to.deep.equal(['1', '4']);
    expect(summary).to.deep.include({ received: 6, stored: 4, repeats: 0, skipped: 0 });
    expect(summary.deadLettered).to.deep.equal({ EVENT_MALFORMED: 2 });
  });

  it('judges copies of one eventId in later slices as one batch would: same bytes a repeat, other bytes a conflict', async () => {
    const values = [event('evt_a'), event('evt_b'), event('evt_a'), event('evt_a', 9)];
    const whole = await runCoreBatches(scratch.db, [values]);
    await scratch.db.raw('TRUNCATE product_events, shipping_addresses');
    const inSlices = await runCoreBatches(scratch.db, [values], 0, oneMessagePerSlice);

    expect([...inSlices.codes]).to.deep.equal([[3, 'EVENT_ID_CONFLICT']]);
    expect([...inSlices.codes]).to.deep.equal([...whole.codes]);
    const counts = ({ stored, repeats }: BatchSummary) => ({ stored, repeats });
    expect(inSlices.summaries.map(counts)).to.deep.equal([{ stored: 2, repeats: 1 }]);
    expect(inSlices.summaries).to.deep.equal(whole.summaries);
  });

  it('dead-letters a row the database refuses in a later slice, the earlier slices staying stored', async () => {
    await scratch.db.raw(`
      CREATE FUNCTION refuse_marked_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.event_id = 'evt_refused' THEN
          RAISE EXCEPTION 'event refused by the test' USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
      END $$`);
    await scratch.db.raw(`
      CREATE TRIGGER refuse_marked_event BEFORE INSERT ON product_events
      FOR EACH ROW EXECUTE FUNCTION refuse_marked_event()`);
    const values = ['evt_a', 'evt_b', 'evt_c', 'evt_refused', 'evt_d'].map((id) => event(id));

    const run = await runCoreBatches(scratch.db, [values], 0, {
      maxBytes: 1_000_000,
      maxMessages: 2,
    });

    expect([...run.codes]).to.deep.equal([[3, 'EVENT_REJECTED_BY_DATABASE']]);
    const stored = await scratch.db('product_events').pluck('event_id').orderBy('event_id');
    expect(stored).to.deep.equal(['evt_a', 'evt_b', 'evt_c', 'evt_d']);
  });

  it('goes on from the slice that failed when settled again: no slice dead-lettered or counted twice', async () => {
    let failedOnce = false;
    let sends = 0;
    const collected: OutboundMessage[] = [];
    const { batch } = sliced(['', event('evt_a'), '', event('evt_b')], {
      sendDeadLetters: (sent) => {
        sends += 1;
        if (sends === 2 && !failedOnce) {
          failedOnce = true;
          return Promise.reject(Object.assign(new Error('broker away'), { code: 'ECONNRESET' }));
        }
        collected.push(...sent);
        return Promise.resolve();
      },
    });

    const failure = await batch.settle().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure, 'the second slice failed').to.be.instanceOf(Error);
    const summary = await batch.settle();

    expect(letterOffsets(collected)).to.deep.equal(['0', '2']);
    expect(summary).to.deep.include({ received: 4, stored: 2, repeats: 0 });
    expect(summary.deadLettered).to.deep.equal({ EVENT_MALFORMED: 2 });
    expect(await rowCount()).to.equal(2);
  });
});
