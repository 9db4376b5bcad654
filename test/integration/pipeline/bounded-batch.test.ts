// What one bounded call settles of a hostile batch (write-budget.ts, sweep-conflicts.ts), against the
// real database: many differing copies of one eventId settled by sweeps within a small budget, with
// the outcomes of one copy a batch; a budget that runs out leaves a settled prefix, dead-lettered and
// counted alone, and the rest settled later ends as one whole batch would; a refusal of everything
// is never cut into dead letters.
import { expect } from 'chai';
import type { OutboundMessage } from '../../../src/messaging/message.ts';
import { SlicedBatch, type BatchSummary } from '../../../src/pipeline/process-batch.ts';
import { deadLetterHeaders } from '../../../src/pipeline/to-dead-letter.ts';
import { storageSchemaProbe } from '../../../src/storage/storage-schema.ts';
import { runCoreBatches } from '../../support/core-batches.ts';
import { migratedDatabasePerTest } from '../../support/scratch-database.ts';
import { databaseState } from '../../support/stored-projection.ts';
import { exampleV1Event } from '../../unit/fixtures.ts';

const source = { topic: 'bounded', partition: 0, group: 'bounded-test' };
const text = (eventId: string, change: object = {}) =>
  JSON.stringify({ ...exampleV1Event(), eventId, ...change });
/** A NUL in a JSON string: valid JSON, but Postgres refuses it in jsonb (SQLSTATE 22P05). */
const refused = (eventId: string) => text(eventId, { metadata: { note: 'a\u0000b' } });

describe('a batch settled within a write budget', () => {
  const scratch = migratedDatabasePerTest();

  /** Settles `values` (offsets from `firstOffset`) in one call of at most `maxWrites` writes. */
  async function settleOnce(values: readonly string[], maxWrites: number, firstOffset = 0) {
    const letters: OutboundMessage[] = [];
    const messages = values.map((value, i) => ({
      key: null,
      value: Buffer.from(value),
      offset: String(firstOffset + i),
    }));
    const summary = await new SlicedBatch(
      {
        db: scratch.db,
        storageSchema: storageSchemaProbe(scratch.db),
        sendDeadLetters: (sent) => {
          letters.push(...sent);
          return Promise.resolve();
        },
        sliceMaxBytes: 1_000_000,
        maxWrites,
      },
      source,
      messages,
    ).settle();
    const codes = new Map(
      letters.map((letter) => [
        Number(String(letter.headers?.[deadLetterHeaders.offset])),
        String(letter.headers?.[deadLetterHeaders.code]),
      ]),
    );
    return { summary, codes, letterCount: letters.length };
  }

  /** The database and dead letters when each message is a batch of its own. */
  async function oneByOne(values: readonly string[]) {
    const run = await runCoreBatches(
      scratch.db,
      values.map((value) => [value]),
    );
    const state = await databaseState(scratch.db);
    await scratch.db.raw('TRUNCATE product_events, shipping_addresses');
    return { codes: run.codes, state };
  }

  it('settles 60 differing copies of one eventId in far fewer writes, as one copy a batch would', async () => {
    const copy = (i: number) => {
      if (i === 25) return text('evt_x', { metadata: { b: 2, a: 1 } }); // the first's row, other bytes
      if (i === 40) return refused('evt_x');
      return text('evt_x', { metadata: { a: 1, b: 2 }, ...(i > 0 && { quantity: 100 + i }) });
    };
    const copies = Array.from({ length: 60 }, (_, i) => copy(i));
    const values = [text('evt_before'), ...copies, text('evt_after')];
    const expected = await oneByOne(values);

    const { summary, codes, letterCount } = await settleOnce(values, 32);

    expect(summary.received, 'messages settled within 32 writes').to.equal(values.length);
    expect([...codes].sort(([a], [b]) => a - b)).to.deep.equal(
      [...expected.codes].sort(([a], [b]) => a - b),
    );
    expect(letterCount).to.equal(codes.size);
    expect(await databaseState(scratch.db)).to.equal(expected.state);
    expect(summary).to.deep.include({ stored: 3, repeats: 1 });
  });

  it('stops at the budget with a settled prefix, and the rest settled later ends as one batch would', async () => {
    const values = Array.from({ length: 40 }, (_, i) =>
      i % 3 === 1 ? refused(`evt_${i}`) : text(`evt_${i}`),
    );
    const whole = await runCoreBatches(scratch.db, [values]);
    const wholeState = await databaseState(scratch.db);
    await scratch.db.raw('TRUNCATE product_events, shipping_addresses');

    const first = await settleOnce(values, 4);
    const settled = first.summary.received;
    expect(settled, 'messages settled in the first call').to.be.within(1, values.length - 1);
    const refusedBefore = [...whole.codes.keys()].filter((offset) => offset < settled);
    expect([...first.codes.keys()], 'dead letters: the prefix’s only').to.deep.equal(refusedBefore);
    const counted = (s: BatchSummary) =>
      s.stored + s.repeats + Object.values(s.deadLettered).reduce((a, b) => a + b, 0);
    expect(counted(first.summary), 'outcomes counted: the prefix’s only').to.equal(settled);

    const rest = await settleOnce(values.slice(settled), Infinity, settled);
    expect(rest.summary.received).to.equal(values.length - settled);
    expect(new Map([...first.codes, ...rest.codes])).to.deep.equal(whole.codes);
    expect(await databaseState(scratch.db)).to.equal(wholeState);
  });

  it('never cuts a refusal of every event into dead letters', async () => {
    await scratch.db.raw(`
      CREATE FUNCTION refuse_all() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'maintenance'; END $$`);
    await scratch.db.raw(`
      CREATE TRIGGER refuse_all BEFORE INSERT ON product_events
      FOR EACH ROW EXECUTE FUNCTION refuse_all()`);
    const values = Array.from({ length: 16 }, (_, i) => text(`evt_${i}`));

    const failure = await settleOnce(values, 2).catch((error: unknown) => error);

    expect(failure).to.include({ code: 'DATABASE_REFUSES_EVERY_EVENT' });
  });

  it('stores, not dead-letters, the rows a rule refused before it was lifted during their isolation', async () => {
    // The rule refuses its first three rows, then is gone (a sequence: not undone by the
    // refusals' rollbacks): the write of 4, of the first 2 and of the first 1 are refused, the
    // rest of the isolation is stored. The row refused alone, before the lift, is tried again.
    await scratch.db.raw('CREATE SEQUENCE refusals');
    await scratch.db.raw(`
      CREATE FUNCTION refuse_three() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('refusals') <= 3 THEN RAISE EXCEPTION 'maintenance'; END IF;
        RETURN NEW;
      END $$`);
    await scratch.db.raw(`
      CREATE TRIGGER refuse_three BEFORE INSERT ON product_events
      FOR EACH ROW EXECUTE FUNCTION refuse_three()`);
    const values = Array.from({ length: 4 }, (_, i) => text(`evt_${i}`));

    const { summary, letterCount } = await settleOnce(values, Infinity);

    expect(letterCount, 'dead letters').to.equal(0);
    expect(summary.stored).to.equal(4);
    const { count } = (await scratch.db('product_events').count({ count: '*' }).first()) as {
      count: string;
    };
    expect(Number(count)).to.equal(4);
  });
});
