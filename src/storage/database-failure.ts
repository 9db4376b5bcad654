// What a failure to reach the database means to the person who started the command: which
// database on which server (as the configuration names them) and what to run or set. pg reports
// these with a SQLSTATE when the server answered, a Node errno when it did not; Node wraps the
// errors of each address it tried in an AggregateError, knex's pool gives up with KnexTimeoutError.
import { ServiceError } from '../domain/errors/error-codes.ts';
import type { DatabaseSetting } from '../runtime/config.ts';
import { databaseOf } from '../runtime/postgres-url.ts';
import { findTlsFailure } from '../runtime/tls-failure.ts';

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const maxDepth = 5; // a cause chain can loop back on itself

/** host:port of the URL, as pg reads it: a `?host=` parameter wins, then the URL's host. */
function databaseAddress(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const host = url.searchParams.get('host') ?? (url.hostname === '' ? 'localhost' : url.hostname);
  return `${host}:${url.port === '' ? '5432' : url.port}`;
}

/** The SQLSTATE or errno that says what went wrong, looking inside wrappers. */
function failureCode(error: unknown, depth = 0): string | undefined {
  if (!(error instanceof Error) || depth > maxDepth) return undefined;
  if (error.name === 'KnexTimeoutError') return 'ETIMEDOUT';
  const { code } = error as { code?: unknown };
  if (typeof code === 'string' && (unreachableCodes.has(code) || /^(3D000|28\w{3})$/.test(code)))
    return code;
  if (error instanceof AggregateError) {
    for (const one of error.errors as unknown[]) {
      const found = failureCode(one, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return failureCode(error.cause, depth + 1);
}

/**
 * The project's error for a database that is missing, unreachable or refuses the role; undefined
 * for any other failure. `cause` keeps the original (its stack is logged at debug only).
 */
export function explainDatabaseFailure(
  error: unknown,
  setting: DatabaseSetting,
): ServiceError | undefined {
  if (error instanceof ServiceError) return undefined; // already explained
  // Before the errno: a certificate refused is also a failed connection, and no retry passes it.
  const tls = findTlsFailure(error);
  const noTls = error instanceof Error && /does not support SSL/.test(error.message);
  if (tls !== undefined || noTls) {
    return new ServiceError(
      'DATABASE_TLS_FAILED',
      `TLS to Postgres on ${databaseAddress(setting.url)} failed (${tls?.code ?? 'the server does not offer TLS'}): set sslrootcert (or PGSSLROOTCERT) to the CA that signed its certificate and dial the name it carries, in ${setting.variable}`,
      { cause: error },
    );
  }
  const code = failureCode(error);
  if (code === undefined) return undefined;
  const address = databaseAddress(setting.url);
  const cause = { cause: error };
  if (code === '3D000') {
    return new ServiceError(
      'DATABASE_MISSING',
      `database ${databaseOf(setting.url)} does not exist on ${address}: run \`npm run stack:up\` (creates it) or set ${setting.variable}`,
      cause,
    );
  }
  if (code.startsWith('28')) {
    const role = decodeURIComponent(new URL(setting.url).username) || 'the default role';
    // pg's own words say which: a wrong password, no such role, no pg_hba.conf entry.
    const reason = (error as Error).message.split('\n')[0] ?? code;
    return new ServiceError(
      'DATABASE_AUTH_FAILED',
      `Postgres on ${address} refused role ${role} (${reason}): set the right role and password in ${setting.variable}`,
      cause,
    );
  }
  return new ServiceError(
    'DATABASE_UNREACHABLE',
    `no Postgres answers on ${address} (${code}): run \`npm run stack:up\` (starts the local one) or set ${setting.variable}`,
    cause,
  );
}
