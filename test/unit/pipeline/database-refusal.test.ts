import { expect } from 'chai';
import pg from 'pg';
import type { Rejection } from '../../../src/domain/errors/error-codes.ts';
import { everyEventRefused, rowRejection } from '../../../src/pipeline/database-refusal.ts';

/** pg's DatabaseError as pg-protocol builds it from the server's error fields. */
const refusal = (fields: Partial<pg.DatabaseError>, message = 'x') =>
  Object.assign(new pg.DatabaseError(message, 100, 'error'), fields);

/** As a trigger raising in PL/pgSQL leaves it. */
const raised = (code: string, fn = 'refuse_marked') =>
  refusal(
    { code, where: `PL/pgSQL function ${fn}() line 4 at RAISE` },
    'refused: the row quoted here',
  );

describe('rowRejection', () => {
  it('names a PL/pgSQL raise as a refusal by the database, with its function and SQLSTATE', () => {
    expect(rowRejection(raised('P0001'))).to.deep.equal({
      code: 'EVENT_REFUSED_BY_DATABASE',
      reason:
        "a rule of the database refused the event's row: function refuse_marked (SQLSTATE P0001)",
    });
  });

  it('names a constraint violation as a rejection, with the constraint and SQLSTATE', () => {
    const error = refusal({ code: '23514', constraint: 'price_cap' });
    expect(rowRejection(error)).to.deep.equal({
      code: 'EVENT_REJECTED_BY_DATABASE',
      reason: "Postgres refused the event's row: constraint price_cap (SQLSTATE 23514)",
    });
  });

  it('never repeats the error message, which may quote the row', () => {
    expect(rowRejection(raised('P0001')).reason).to.not.include('quoted');
  });

  it('keeps to the SQLSTATE when Postgres names neither function nor constraint', () => {
    expect(rowRejection(refusal({ code: '22P05' })).reason).to.equal(
      "Postgres refused the event's row (SQLSTATE 22P05)",
    );
  });
});

describe('everyEventRefused', () => {
  const refused = rowRejection(raised('P0001'));
  const times = (n: number, rejection: Rejection) => Array.from({ length: n }, () => rejection);

  it('reads every event of two or more refused alike by a rule as the database refusing all', () => {
    const error = everyEventRefused(3, times(3, refused));
    expect(error?.code).to.equal('DATABASE_REFUSES_EVERY_EVENT');
    expect(error?.retryable).to.equal(true);
    expect(error?.message).to.equal(
      'a rule of the database refused every one of 3 events: function refuse_marked (SQLSTATE P0001): nothing is dead-lettered, the partition waits and retries',
    );
  });

  it('leaves a lone event to its dead letter: one refusal says nothing of the others', () => {
    expect(everyEventRefused(1, [refused])).to.equal(undefined);
  });

  it('leaves the refusals to dead letters when any event was stored or not refused', () => {
    expect(everyEventRefused(4, times(3, refused))).to.equal(undefined);
  });

  it('leaves refusals by different functions or SQLSTATEs to dead letters', () => {
    expect(everyEventRefused(2, [refused, rowRejection(raised('P0001', 'other'))])).to.equal(
      undefined,
    );
    expect(everyEventRefused(2, [refused, rowRejection(raised('P0004'))])).to.equal(undefined);
  });

  it('never reads data errors (classes 22, 23, 54) as systemic, however many', () => {
    const check = rowRejection(refusal({ code: '23514' }));
    expect(everyEventRefused(50, times(50, check))).to.equal(undefined);
  });
});
