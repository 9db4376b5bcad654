// Stores a batch's decoded events so that the outcome never depends on where batches split: the
// copies of one eventId are judged one after another by the database's own rule of "the same
// event" (storage/product-events.ts), exactly as if each had come in a batch of its own.
// - Copies with the same bytes as an earlier copy decode to the same event: they share its
//   outcome (stored becomes a repeat) without another round trip. That is every redelivery.
//   Copies whose bytes differ but whose rows and address are the same (spacing, the order of the
//   event's fields, unknown fields) give the statements the same input: they share it too.
// - Copies that differ go in rounds: round k stores the k-th distinct copy of every eventId, so
//   one statement never sees an id twice, and each copy meets what the copies before it left.
//   Once an id's row is stored, its remaining copies are swept in one statement when there are
//   many (sweep-conflicts.ts): those the rule refuses are settled at once, the others go on.
// - With a write budget (write-budget.ts) the rounds stop once it is spent; the result then covers
//   only the events before the first one left unsettled, which the caller reads again.
// A batch stored in slices (process-batch.ts) calls this once per slice: a later slice's copies
// meet the earlier slices' rows in the database, as a later batch's would.
import type { Knex } from 'knex';
import type { StorageSchemaProbe } from '../storage/storage-schema.ts';
import { ServiceError, type Rejection } from '../domain/errors/error-codes.ts';
import { carriesV2Data, type SchemaVersion } from '../domain/events/decode-event.ts';
import type { ProductPurchasedV2 } from '../domain/schemas/types.ts';
import type { InboundMessage } from '../messaging/message.ts';
import { toShippingAddressRow } from '../storage/shipping-addresses.ts';
import { productEventRows } from '../storage/product-events.ts';
import { eventIdConflict, isolateRefusedRowsWithin } from './isolate-refused-rows.ts';
import { everyCopyConflicts } from './sweep-conflicts.ts';
import { WriteBudget } from './write-budget.ts';

export interface DecodedEvent {
  readonly message: InboundMessage;
  readonly event: ProductPurchasedV2;
  readonly schemaVersion: SchemaVersion;
}

/** What became of a batch's events: stored, repeats of one stored, or rejected with a reason. */
export interface StoredBatch {
  /**
   * Events stored, counting each eventId once per batch (`storedEarlier` included); an event whose
   * row was already stored as the same event before this batch is a repeat, not stored.
   */
  stored: number;
  readonly storedBySchemaVersion: Record<SchemaVersion, number>;
  repeats: number;
  readonly rejected: { readonly message: InboundMessage; readonly rejection: Rejection }[];
  /** The eventIds this call stored (a row it found stored as the same event is not among them). */
  readonly storedIds: Set<string>;
  /**
   * The offset of the first event the budget left unsettled: it and every later message are for a
   * later batch, and nothing above counts them. Undefined: every event is settled.
   */
  readonly unsettledFrom?: bigint;
}

async function schemaFor(storageSchema: StorageSchemaProbe, events: readonly DecodedEvent[]) {
  const needsV2 = events.some((item) => carriesV2Data(item.event));
  const schema = await storageSchema.current(needsV2);
  if (schema === undefined) {
    throw new ServiceError(
      'DATABASE_NOT_MIGRATED',
      'product_events is gone: run `npm run db:migrate`',
    );
  }
  if (needsV2 && schema === 'v1') {
    const reason = 'events with v2 fields wait for the v2 migration: run `npm run db:migrate`';
    throw new ServiceError('DATABASE_LACKS_V2', reason);
  }
  return schema;
}

/** A distinct copy of an event and the later copies the statements cannot tell from it. */
interface Copy {
  readonly first: DecodedEvent;
  readonly sameInput: DecodedEvent[];
}

// What the statements see of an event (its row and address) and what the batch counts by.
// The row is the COPY line the statement reads (latin1: one character per byte, so equal strings
// are equal bytes).
const inputOf = ({ event, schemaVersion }: DecodedEvent) =>
  JSON.stringify([
    schemaVersion,
    Buffer.concat(productEventRows([event])).toString('latin1'),
    toShippingAddressRow(event),
  ]);

/** Each eventId's distinct copies, in arrival order. */
function distinctCopies(events: readonly DecodedEvent[]): Copy[][] {
  const byId = new Map<string, Copy[]>();
  // Inputs are compared only for ids seen more than once.
  const byInput = new Map<string, Map<string, Copy>>();
  for (const item of events) {
    const id = item.event.eventId;
    const copies = byId.get(id);
    if (copies === undefined) {
      byId.set(id, [{ first: item, sameInput: [] }]);
      continue;
    }
    let seen = byInput.get(id);
    if (seen === undefined) {
      seen = new Map(copies.map((copy) => [inputOf(copy.first), copy]));
      byInput.set(id, seen);
    }
    const input = inputOf(item);
    const same = seen.get(input);
    if (same !== undefined) {
      same.sameInput.push(item);
    } else {
      const copy = { first: item, sameInput: [] };
      copies.push(copy);
      seen.set(input, copy);
    }
  }
  return [...byId.values()];
}

const offsetOf = (copy: Copy) => BigInt(copy.first.message.offset);

/** Remaining copies of one id worth a sweep: fewer cost as much in their own rounds. */
const sweepMinCopies = 3;

/** What became of one distinct copy (and the copies with its input). */
type Outcome = { readonly copy: Copy } & (
  | { readonly kind: 'stored'; readonly unchanged: boolean }
  | { readonly kind: 'rejected'; readonly rejection: Rejection }
);

type Dependencies = {
  readonly db: Knex;
  readonly storageSchema: StorageSchemaProbe;
  readonly keepAlive?: () => Promise<void>;
};

export async function settleCopiesInRounds(
  deps: Dependencies,
  events: readonly DecodedEvent[],
  /** eventIds earlier slices of the same batch stored: another copy of one is a repeat. */
  storedEarlier: ReadonlySet<string> = new Set(),
  budget = new WriteBudget(),
  /**
   * eventIds an earlier attempt at this slice stored before failing (its dead letters not sent):
   * found unchanged now, they are this batch's own, stored, not repeats.
   */
  storedByFailedAttempts: ReadonlySet<string> = new Set(),
): Promise<StoredBatch> {
  const rounds = new CopyRounds(deps, distinctCopies(events), budget);
  await rounds.run();
  return tally(rounds.outcomes, rounds.unsettled, storedEarlier, storedByFailedAttempts);
}

/** The rounds of one batch's distinct copies, each id's copies in arrival order. */
class CopyRounds {
  readonly outcomes: Outcome[] = [];
  readonly unsettled: Copy[] = [];
  readonly #deps: Dependencies;
  readonly #copiesById: Copy[][];
  readonly #budget: WriteBudget;
  /** Per id, the round from which it may be swept again (a failed sweep waits twice as long). */
  readonly #nextSweep = new Map<string, { round: number; wait: number }>();

  constructor(deps: Dependencies, copiesById: Copy[][], budget: WriteBudget) {
    this.#deps = deps;
    this.#copiesById = copiesById;
    this.#budget = budget;
  }

  async run(): Promise<void> {
    for (let round = 0; ; round += 1) {
      const copies = this.#copiesById.flatMap((byId) => byId[round] ?? []);
      if (copies.length === 0) return;
      // In offset order: a budget that runs out mid-round leaves the latest copies unsettled.
      copies.sort((a, b) => (offsetOf(a) < offsetOf(b) ? -1 : 1));
      if (round > 0) await this.#deps.keepAlive?.();
      if (!this.#budget.allows()) return this.#leave(round, new Map());
      const judged = await this.#storeRound(copies);
      if (judged.size < copies.length) return this.#leave(round, judged);
      await this.#sweepAfter(round, judged);
    }
  }

  /** Stores a round's copies; returns what became of those the budget reached. */
  async #storeRound(copies: readonly Copy[]): Promise<Map<Copy, Outcome>> {
    const { db, storageSchema, keepAlive } = this.#deps;
    const schema = await schemaFor(
      storageSchema,
      copies.map((copy) => copy.first),
    );
    const events = copies.map((copy) => copy.first.event);
    const stored = await isolateRefusedRowsWithin(this.#budget, db, events, schema, keepAlive);
    const untried = new Set(stored.unsettled.map((event) => event.eventId));
    const judged = new Map<Copy, Outcome>();
    for (const copy of copies) {
      if (untried.has(copy.first.event.eventId)) continue;
      const rejection = stored.refusals.get(copy.first.event.eventId);
      const outcome: Outcome =
        rejection === undefined
          ? { copy, kind: 'stored', unchanged: stored.unchanged.has(copy.first.event.eventId) }
          : { copy, kind: 'rejected', rejection };
      this.outcomes.push(outcome);
      judged.set(copy, outcome);
    }
    return judged;
  }

  /** Leaves unsettled every copy from `round` on, but those of `round` already judged. */
  #leave(round: number, judged: ReadonlyMap<Copy, Outcome>): void {
    for (const byId of this.#copiesById) {
      const reached = byId[round] !== undefined && judged.has(byId[round]);
      this.unsettled.push(...byId.slice(reached ? round + 1 : round));
    }
  }

  /**
   * After a round, the remaining copies of each id whose row is now stored (its copy stored or in
   * conflict with it), where many remain: those the rule refuses are settled by sweeps, and the
   * id's rounds go on with the others only.
   */
  async #sweepAfter(round: number, judged: ReadonlyMap<Copy, Outcome>): Promise<void> {
    for (const byId of this.#copiesById) {
      const copy = byId[round];
      const rest = byId.slice(round + 1);
      if (copy === undefined || rest.length < sweepMinCopies) continue;
      const outcome = judged.get(copy);
      const rowStored =
        outcome?.kind === 'stored' ||
        (outcome?.kind === 'rejected' && outcome.rejection.code === 'EVENT_ID_CONFLICT');
      const id = copy.first.event.eventId;
      const due = this.#nextSweep.get(id) ?? { round: 0, wait: 1 };
      if (!rowStored || round < due.round) continue;
      const conflicting = await this.#sweep(rest);
      for (const one of conflicting) {
        this.outcomes.push({ copy: one, kind: 'rejected', rejection: eventIdConflict });
      }
      byId.splice(round + 1, rest.length, ...rest.filter((one) => !conflicting.has(one)));
      // Copies left (the rule took them, or the database refused them): rounds of their own;
      // a sweep of the same id waits twice as many rounds each time, so copies the rule takes
      // cost few sweeps.
      if (conflicting.size < rest.length) {
        this.#nextSweep.set(id, { round: round + due.wait, wait: due.wait * 2 });
      }
    }
  }

  /**
   * The copies among `rest` the rule refuses, found by sweeps of halves (as isolateRefusedRows halves a
   * refused write): a few copies the rule takes or the database refuses cost a few more sweeps,
   * at most 2·log2(n) + 1 for one; past that, what is left goes to rounds.
   */
  async #sweep(rest: readonly Copy[]): Promise<Set<Copy>> {
    const conflicting = new Set<Copy>();
    let sweepsLeft = 2 * Math.ceil(Math.log2(rest.length)) + 1;
    const visit = async (part: readonly Copy[]): Promise<void> => {
      if (part.length === 0 || sweepsLeft === 0 || !this.#budget.allows()) return;
      sweepsLeft -= 1;
      this.#budget.spend();
      const schema = await schemaFor(
        this.#deps.storageSchema,
        part.map((one) => one.first),
      );
      const events = part.map((one) => one.first.event);
      if (await everyCopyConflicts(this.#deps.db, events, schema)) {
        for (const one of part) conflicting.add(one);
      } else if (part.length > 1) {
        const middle = Math.ceil(part.length / 2);
        await visit(part.slice(0, middle));
        await visit(part.slice(middle));
      }
    };
    await visit(rest);
    return conflicting;
  }
}

/** Counts the outcomes of the events before the first unsettled one, in the order they were judged. */
function tally(
  outcomes: readonly Outcome[],
  unsettled: readonly Copy[],
  storedEarlier: ReadonlySet<string>,
  storedByFailedAttempts: ReadonlySet<string>,
): StoredBatch {
  let unsettledFrom: bigint | undefined;
  for (const copy of unsettled) {
    for (const item of [copy.first, ...copy.sameInput]) {
      const offset = BigInt(item.message.offset);
      if (unsettledFrom === undefined || offset < unsettledFrom) unsettledFrom = offset;
    }
  }
  const before = (item: DecodedEvent) =>
    unsettledFrom === undefined || BigInt(item.message.offset) < unsettledFrom;
  const storedInBatch = new Set<string>();
  const result: StoredBatch = {
    stored: 0,
    storedBySchemaVersion: { 1: 0, 2: 0 },
    repeats: 0,
    rejected: [],
    storedIds: storedInBatch,
    ...(unsettledFrom === undefined ? {} : { unsettledFrom }),
  };
  for (const outcome of outcomes) {
    const { first, sameInput } = outcome.copy;
    if (outcome.kind === 'rejected') {
      for (const item of [first, ...sameInput].filter(before)) {
        result.rejected.push({ message: item.message, rejection: outcome.rejection });
      }
      continue;
    }
    const eventId = first.event.eventId;
    if (before(first)) {
      const storedBeforeBatch = outcome.unchanged && !storedByFailedAttempts.has(eventId);
      if (storedInBatch.has(eventId) || storedEarlier.has(eventId) || storedBeforeBatch) {
        result.repeats += 1;
      } else {
        storedInBatch.add(eventId);
        result.stored += 1;
        result.storedBySchemaVersion[first.schemaVersion] += 1;
      }
    }
    result.repeats += sameInput.filter(before).length;
  }
  return result;
}
