// What a dead letter may repeat of a refused row, read from pg's real DatabaseError.
import { expect } from 'chai';
import pg from 'pg';
import { rowRefusal } from '../../../src/storage/row-refusal.ts';

const refusal = (fields: Partial<pg.DatabaseError>) =>
  Object.assign(new pg.DatabaseError('new row violates … (the row quoted)', 100, 'error'), fields);

describe('rowRefusal', () => {
  it('reads the SQLSTATE and the constraint, never the message', () => {
    const read = rowRefusal(refusal({ code: '23514', constraint: 'price_cap' }));
    expect(read).to.deep.equal({ sqlState: '23514', constraint: 'price_cap' });
  });

  it('names the innermost PL/pgSQL function of the stack that raised', () => {
    const where =
      'PL/pgSQL function refuse_marked() line 4 at RAISE\nPL/pgSQL function outer() line 2 at PERFORM';
    expect(rowRefusal(refusal({ code: 'P0001', where }))).to.deep.equal({
      sqlState: 'P0001',
      raisedBy: 'refuse_marked',
    });
  });

  it("reads nothing from an error that is not pg's, whatever fields it carries", () => {
    const lookalike = Object.assign(new Error('x'), { code: '23514', constraint: 'price_cap' });
    expect(rowRefusal(lookalike)).to.deep.equal({ sqlState: 'unknown' });
  });
});
