// What the database's failures mean, on the errors pg and knex really throw: pg's DatabaseError
// (built as pg-protocol builds it from a server's error message), the socket error and the lost
// connection pg reports when a local server refuses or hangs up, knex's pool timing out.
import { createServer, type Server } from 'node:net';
import { expect } from 'chai';
import knex from 'knex';
import pg from 'pg';
import { classifyError, isRecoverable } from '../../../src/domain/errors/classify-error.ts';
import { databaseFailureKind } from '../../../src/storage/database-failure-kind.ts';

/** The error pg throws for a server's ErrorResponse with this SQLSTATE. */
function serverError(code: string): pg.DatabaseError {
  const error = new pg.DatabaseError('refused', 100, 'error');
  error.code = code;
  return error;
}

const classify = (error: unknown) => classifyError(error, [databaseFailureKind]);

/** A local port, and whether anything still listens there: a server that hangs up on every
 * connection, or none (closed again at once, so connecting is refused). */
async function localPort(listening: boolean): Promise<{ port: number; server: Server }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  if (!listening) await new Promise((resolve) => server.close(resolve));
  return { port, server };
}

/** What pg.Client#connect rejects with on that port. */
const connectFailure = (port: number): Promise<unknown> =>
  new pg.Client({ host: '127.0.0.1', port }).connect().then(
    () => expect.fail('connected'),
    (error: unknown) => error,
  );

describe('databaseFailureKind', () => {
  describe('a server error, by its SQLSTATE class', () => {
    const cases: [code: string, expected: string, meaning: string][] = [
      ['08006', 'transient', 'connection failure'],
      ['08001', 'transient', 'cannot connect'],
      ['57P01', 'transient', 'admin shutdown'],
      ['57P02', 'transient', 'crash shutdown'],
      ['57P03', 'transient', 'cannot connect now'],
      ['40P01', 'transient', 'deadlock detected'],
      ['40001', 'transient', 'serialization failure'],
      ['53300', 'transient', 'too many connections'],
      ['57014', 'transient', 'statement timeout'],
      ['55P03', 'transient', 'lock not available'],
      ['22001', 'refused-by-database', 'string data right truncation'],
      ['22P05', 'refused-by-database', 'untranslatable character'],
      ['23502', 'refused-by-database', 'not null violation'],
      ['23514', 'refused-by-database', 'check violation'],
      ['23503', 'refused-by-database', 'foreign key violation'],
      ['23505', 'refused-by-database', 'unique violation'],
      ['54000', 'refused-by-database', 'program limit exceeded'],
      ['P0001', 'refused-by-database', 'raise exception (a trigger refusing the row)'],
      ['P0004', 'refused-by-database', 'assert failure'],
      ['42501', 'fatal', 'insufficient privilege'],
      ['42P01', 'fatal', 'undefined table'],
      ['28P01', 'fatal', 'invalid password'],
    ];
    for (const [code, expected, meaning] of cases) {
      it(`calls ${code} (${meaning}) ${expected}`, () => {
        expect(databaseFailureKind(serverError(code))).to.equal(expected);
      });
    }

    it("reads the SQLSTATE of pg's error only: another error with such a code is not its to say", () => {
      const lookalike = Object.assign(new Error('x'), { code: '23502' });
      expect(databaseFailureKind(lookalike)).to.equal(undefined);
    });
  });

  describe('the connection', () => {
    it('calls the error pg passes on when nothing listens (ECONNREFUSED) transient', async () => {
      const error = await connectFailure((await localPort(false)).port);
      expect((error as { code?: unknown }).code).to.equal('ECONNREFUSED');
      expect(classify(error)).to.equal('transient');
    });

    it("calls pg's connection lost when the server hangs up transient", async () => {
      const { port, server } = await localPort(true);
      try {
        const error = await connectFailure(port);
        expect(String(error)).to.match(/Connection terminated/);
        expect(classify(error)).to.equal('transient');
      } finally {
        server.close();
      }
    });

    it('calls the other socket errors pg passes on transient', () => {
      for (const code of [
        'ECONNRESET',
        'ETIMEDOUT',
        'EPIPE',
        'EHOSTUNREACH',
        'ENETUNREACH',
        'EAI_AGAIN',
      ])
        expect(databaseFailureKind(Object.assign(new Error(code), { code })), code).to.equal(
          'transient',
        );
      expect(databaseFailureKind(Object.assign(new Error('x'), { code: 'ENOENT' }))).to.equal(
        undefined,
      );
    });

    it("calls the query pg refuses on a connection that failed (knex's ROLLBACK after it) transient", () => {
      // pg builds it as a plain Error with this message (pg/lib/client.js, query() once the
      // client's connection has failed); knex prefixes the statement.
      const error = new Error(
        'ROLLBACK - Client has encountered a connection error and is not queryable',
      );
      expect(databaseFailureKind(error)).to.equal('transient');
      expect(databaseFailureKind(new Error('timeout expired: Connection timeout'))).to.equal(
        'transient',
      );
    });

    it("calls knex's pool giving up (KnexTimeoutError) transient", () => {
      const error = new knex.KnexTimeoutError(
        'Knex: Timeout acquiring a connection. The pool is probably full.',
      );
      expect(databaseFailureKind(error)).to.equal('transient');
      expect(isRecoverable(classify(error))).to.equal(true);
    });
  });

  describe('with the classifier', () => {
    it('finds a refused row under a wrapper, and lets an outer fatal SQLSTATE decide', () => {
      const wrapped = new Error('write failed', { cause: serverError('23502') });
      expect(classify(wrapped)).to.equal('refused-by-database');
      const outer = serverError('42501');
      outer.cause = serverError('08006');
      expect(classify(outer)).to.equal('fatal');
    });

    it("leaves errors that are not the database's to the other edges", () => {
      expect(databaseFailureKind(new Error('something broke'))).to.equal(undefined);
      expect(classify(new Error('something broke'))).to.equal('fatal');
    });
  });
});
