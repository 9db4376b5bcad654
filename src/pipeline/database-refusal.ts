// How a row the database refused is named in its dead letter, and when refusals are not about the
// rows at all. The reason carries the SQLSTATE and the constraint or function that refused the row
// (names the database's owner chose, read from pg's error by storage/row-refusal.ts), never the
// error's message: a trigger's message may quote the row.
import { ServiceError, type Rejection } from '../domain/errors/error-codes.ts';
import { rowRefusal } from '../storage/row-refusal.ts';

const ruleRefused = "a rule of the database refused the event's row";

/** The dead-letter rejection for one row Postgres refused with `error` (refused-by-database). */
export function rowRejection(error: unknown): Rejection {
  const { sqlState, constraint, raisedBy } = rowRefusal(error);
  // Class P0: PL/pgSQL raised, in a trigger or a function the database's owner added.
  if (sqlState.startsWith('P0')) {
    const by = raisedBy === undefined ? '' : `: function ${raisedBy}`;
    return {
      code: 'EVENT_REFUSED_BY_DATABASE',
      reason: `${ruleRefused}${by} (SQLSTATE ${sqlState})`,
    };
  }
  const by = constraint === undefined ? '' : `: constraint ${constraint}`;
  return {
    code: 'EVENT_REJECTED_BY_DATABASE',
    reason: `Postgres refused the event's row${by} (SQLSTATE ${sqlState})`,
  };
}

/**
 * A refusal of everything rather than of these rows: every event of a write of two or more, each
 * alone, refused by a rule of the database (class P0) with the same SQLSTATE from the same
 * function. Dead-lettering them would empty the topic into the dead-letter topic while, say, a
 * maintenance trigger is on; the batch waits instead. Refusals of class 22, 23 and 54 are facts
 * about each row's data and never count: a rule meant to refuse single events raises one of those
 * (docs/stored-exactly.md).
 */
export function everyEventRefused(
  eventCount: number,
  rejections: readonly Rejection[],
): ServiceError | undefined {
  const [first] = rejections;
  if (eventCount < 2 || rejections.length !== eventCount || first === undefined) return undefined;
  const same = rejections.every(
    (one) => one.code === 'EVENT_REFUSED_BY_DATABASE' && one.reason === first.reason,
  );
  if (!same) return undefined;
  const how = first.reason.slice(ruleRefused.length); // ": function f (SQLSTATE P0001)"
  return new ServiceError(
    'DATABASE_REFUSES_EVERY_EVENT',
    `a rule of the database refused every one of ${eventCount} events${how}: nothing is dead-lettered, the partition waits and retries`,
  );
}
