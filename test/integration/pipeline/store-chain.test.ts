// The storage chain below processBatch, each step on its own against the real database:
// isolateRefusedRows halves a refused transaction down to the rows Postgres refuses, and
// settleCopiesInRounds judges the distinct copies of one eventId in rounds, one copy per id a round.
import { expect } from 'chai';
import type { ProductPurchasedV2 } from '../../../src/domain/schemas/types.ts';
import type { InboundMessage } from '../../../src/messaging/message.ts';
import {
  settleCopiesInRounds,
  type DecodedEvent,
} from '../../../src/pipeline/settle-copies-in-rounds.ts';
import { isolateRefusedRows } from '../../../src/pipeline/isolate-refused-rows.ts';
import { storageSchemaProbe } from '../../../src/storage/storage-schema.ts';
import { exampleV1Event } from '../../unit/fixtures.ts';
import { migratedDatabasePerTest } from '../../support/scratch-database.ts';

const event = (eventId: string, change: Partial<ProductPurchasedV2> = {}): ProductPurchasedV2 => ({
  ...exampleV1Event(),
  eventId,
  ...change,
});
/** A NUL in a JSON string: valid JSON, but Postgres refuses it in jsonb (SQLSTATE 22P05). */
const refusedBy = (eventId: string) => event(eventId, { metadata: { note: 'a\u0000b' } });

describe('the storage chain, step by step', () => {
  const scratch = migratedDatabasePerTest();
  const storedIds = async () =>
    (await scratch.db('product_events').orderBy('event_id').pluck('event_id')) as string[];

  describe('isolateRefusedRows', () => {
    it('halves a refused batch down to the refused rows and stores every other event', async () => {
      const events = Array.from({ length: 16 }, (_, i) =>
        [3, 8, 15].includes(i) ? refusedBy(`evt_${i}`) : event(`evt_${i}`),
      );
      let keptAlive = 0;
      const refusals = await isolateRefusedRows(scratch.db, events, 'v2', () => {
        keptAlive += 1;
        return Promise.resolve();
      });

      expect([...refusals.keys()].sort()).to.deep.equal(['evt_15', 'evt_3', 'evt_8']);
      for (const refusal of refusals.values()) {
        expect(refusal.code).to.equal('EVENT_REJECTED_BY_DATABASE');
        expect(refusal.reason).to.match(/SQLSTATE [0-9A-Z]{5}\)$/);
      }
      const stored = events.map((e) => e.eventId).filter((id) => !refusals.has(id));
      expect(await storedIds()).to.deep.equal(stored.sort());
      // One heartbeat per failed transaction: the whole set, then halves down to each bad row.
      // Three bad rows in 16 need more than three, and far fewer than one per event and level.
      expect(keptAlive).to.be.within(4, 3 * Math.log2(16) + 1);
    });

    it('reports an event that clashes with a stored one as a conflict, not a refusal', async () => {
      await isolateRefusedRows(scratch.db, [event('evt_a')], 'v2');
      const refusals = await isolateRefusedRows(
        scratch.db,
        [event('evt_a', { quantity: 7 }), event('evt_b'), refusedBy('evt_c')],
        'v2',
      );
      expect(Object.fromEntries([...refusals].map(([id, r]) => [id, r.code]))).to.deep.equal({
        evt_a: 'EVENT_ID_CONFLICT',
        evt_c: 'EVENT_REJECTED_BY_DATABASE',
      });
      expect(await storedIds()).to.deep.equal(['evt_a', 'evt_b']);
      const quantities = await scratch
        .db('product_events')
        .where({ event_id: 'evt_a' })
        .pluck('quantity');
      expect(quantities).to.deep.equal([2]); // the stored row stays as it was
    });

    /** An owner's trigger that raises (SQLSTATE P0001) for the events whose quantity is 13. */
    const refuseQuantity13 = async () => {
      await scratch.db.raw(`
        CREATE FUNCTION refuse_unlucky() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.quantity = 13 THEN RAISE EXCEPTION 'unlucky row %', NEW.event_id; END IF;
          RETURN NEW;
        END $$`);
      await scratch.db.raw(`
        CREATE TRIGGER refuse_unlucky BEFORE INSERT ON product_events
        FOR EACH ROW EXECUTE FUNCTION refuse_unlucky()`);
    };

    it('isolates a row an owner’s trigger refuses (P0001) and names the SQLSTATE and function', async () => {
      await refuseQuantity13();
      const events = Array.from({ length: 6 }, (_, i) =>
        event(`evt_${i}`, { quantity: i === 4 ? 13 : 1 }),
      );
      const refusals = await isolateRefusedRows(scratch.db, events, 'v2');

      expect(Object.fromEntries(refusals)).to.deep.equal({
        evt_4: {
          code: 'EVENT_REFUSED_BY_DATABASE',
          reason:
            "a rule of the database refused the event's row: function refuse_unlucky (SQLSTATE P0001)",
        },
      });
      expect(await storedIds()).to.deep.equal(['evt_0', 'evt_1', 'evt_2', 'evt_3', 'evt_5']);
    });

    it('dead-letters nothing when a trigger refuses every event alike: the batch waits', async () => {
      await refuseQuantity13();
      const events = Array.from({ length: 5 }, (_, i) => event(`evt_${i}`, { quantity: 13 }));
      const failure = await isolateRefusedRows(scratch.db, events, 'v2').catch(
        (error: unknown) => error,
      );

      expect(failure).to.include({ code: 'DATABASE_REFUSES_EVERY_EVENT', retryable: true });
      expect((failure as Error).message).to.include('function refuse_unlucky (SQLSTATE P0001)');
      expect(await storedIds()).to.deep.equal([]);
    });

    it('stores nothing and calls nothing for no events', async () => {
      const refusals = await isolateRefusedRows(scratch.db, [], 'v2', () => {
        throw new Error('no heartbeat is needed for nothing');
      });
      expect(refusals.size).to.equal(0);
      expect(await storedIds()).to.deep.equal([]);
    });
  });

  describe('settleCopiesInRounds', () => {
    let offset = 0;
    const decoded = (item: ProductPurchasedV2): DecodedEvent => {
      const message: InboundMessage = {
        key: null,
        value: Buffer.from(JSON.stringify(item)),
        offset: String(offset++),
      };
      return { message, event: item, schemaVersion: 1 };
    };

    it('judges distinct copies of one eventId in rounds, and same-bytes copies with their first', async () => {
      const first = event('evt_x');
      const changed = event('evt_x', { quantity: 9 });
      const batch = [
        decoded(first), // offset 0: round 1, stored
        decoded(event('evt_y')), // 1: round 1, stored
        decoded(changed), // 2: round 2, conflicts with what round 1 stored
        decoded(first), // 3: the same bytes as offset 0: a repeat, no round of its own
        decoded(changed), // 4: the same bytes as offset 2: shares its conflict
        decoded(event('evt_x', { quantity: 5 })), // 5: round 3, conflicts too
      ];
      offset = 0;
      let keptAlive = 0;
      const result = await settleCopiesInRounds(
        {
          db: scratch.db,
          storageSchema: storageSchemaProbe(scratch.db),
          keepAlive: () => {
            keptAlive += 1;
            return Promise.resolve();
          },
        },
        batch,
      );

      expect(result.stored).to.equal(2);
      expect(result.storedBySchemaVersion).to.deep.equal({ 1: 2, 2: 0 });
      expect(result.repeats).to.equal(1);
      expect(
        result.rejected.map(({ message, rejection }) => [message.offset, rejection.code]),
      ).to.have.deep.members([
        ['2', 'EVENT_ID_CONFLICT'],
        ['4', 'EVENT_ID_CONFLICT'],
        ['5', 'EVENT_ID_CONFLICT'],
      ]);
      expect(keptAlive, 'one heartbeat before each round after the first').to.equal(2);
      expect(await storedIds()).to.deep.equal(['evt_x', 'evt_y']);
    });

    it('holds the batch, storing nothing, while events with v2 fields wait for the v2 migration', async () => {
      await scratch.db.migrate.rollback(undefined, true);
      await scratch.db.migrate.up(); // the original table only
      const withTax = {
        ...decoded(event('evt_tax', { taxAmount: 1.5 })),
        schemaVersion: 2 as const,
      };
      const failure = await settleCopiesInRounds(
        { db: scratch.db, storageSchema: storageSchemaProbe(scratch.db) },
        [decoded(event('evt_plain')), withTax],
      ).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect((failure as { code?: string } | undefined)?.code).to.equal('DATABASE_LACKS_V2');
      expect(await storedIds()).to.deep.equal([]);
    });
  });
});
