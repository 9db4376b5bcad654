// What the database's failures mean, read where they arise: pg's DatabaseError by its SQLSTATE
// class, the socket errors pg passes on as Node gives them, knex's pool giving up, and the
// connection pg reports lost in words alone. The classifier (domain/errors/classify-error.ts)
// asks this of every error an operation on the database throws.
import knex from 'knex';
import pg from 'pg';
import type { FailureKind, FailureKindOf } from '../domain/errors/classify-error.ts';

// 57014 statement timeout (or a cancelled query) and 55P03 lock not available: the same statement
// succeeds once the load or the lock holder has gone.
const transientSqlStates = new Set(['57P01', '57P02', '57P03', '40001', '40P01', '57014', '55P03']);
// Postgres classes: 08 connection exception, 53 insufficient resources.
const transientSqlClasses = new Set(['08', '53']);
// 22 data exception, 23 integrity constraint violation (check, foreign key, unique, not null), 54
// program limit exceeded (a row too complex or too large for Postgres), P0 a PL/pgSQL raise (an
// owner's trigger or function refusing the row: RAISE EXCEPTION is P0001 unless it names another).
const refusedRowSqlClasses = new Set(['22', '23', '54', 'P0']);
// pg hands on the socket's own error (Node's errno) when the server cannot be reached or goes.
const transientSocketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
// pg builds these as plain Errors: a connection lost under a query, one that timed out while
// connecting, and the query it refuses on a connection that failed (knex's ROLLBACK after one).
const connectionLostWords =
  /Connection terminated|connection timeout|connection error and is not queryable/i;

function sqlStateKind(sqlState: string): FailureKind {
  const sqlClass = sqlState.slice(0, 2);
  if (transientSqlStates.has(sqlState) || transientSqlClasses.has(sqlClass)) return 'transient';
  if (refusedRowSqlClasses.has(sqlClass)) return 'refused-by-database';
  return 'fatal';
}

export const databaseFailureKind: FailureKindOf = (error) => {
  const { code } = error as { code?: unknown };
  if (typeof code === 'string' && transientSocketCodes.has(code)) return 'transient';
  if (error instanceof pg.DatabaseError && typeof error.code === 'string')
    return sqlStateKind(error.code);
  if (error instanceof knex.KnexTimeoutError) return 'transient';
  if (connectionLostWords.test(error.message)) return 'transient';
  return undefined;
};
