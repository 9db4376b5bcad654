// What Postgres said about a row it refused, read from pg's DatabaseError where the database layer
// meets it: the SQLSTATE, the constraint (a name the database's owner chose) and the PL/pgSQL
// function that raised. Never the error's message: a trigger's may quote the row.
import pg from 'pg';

export interface RowRefusal {
  readonly sqlState: string;
  /** The constraint that refused the row, when Postgres names one. */
  readonly constraint?: string;
  /** The innermost PL/pgSQL function on the stack when it raised (class P0). */
  readonly raisedBy?: string;
}

// pg's `where` is the PL/pgSQL call stack, innermost first:
// "PL/pgSQL function name() line 4 at RAISE".
const raisingFunction = (where: string | undefined): string | undefined =>
  where === undefined ? undefined : /PL\/pgSQL function ([^\s(]+)\(/.exec(where)?.[1];

/** Only a DatabaseError is ever classified refused-by-database (database-failure-kind.ts). */
export function rowRefusal(error: unknown): RowRefusal {
  if (!(error instanceof pg.DatabaseError)) return { sqlState: 'unknown' };
  const raisedBy = raisingFunction(error.where);
  return {
    sqlState: String(error.code),
    ...(error.constraint === undefined ? {} : { constraint: error.constraint }),
    ...(raisedBy === undefined ? {} : { raisedBy }),
  };
}
