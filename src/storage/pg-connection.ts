// A DatabaseSetting (runtime/database-setting.ts) as the connection knex hands to pg. The URL is
// taken apart here rather than given to pg whole: pg's parser would put its own reading of
// sslmode over ours (require as verify-full, a CA file read at every connect), and a password from
// a file cannot be added to a URL pg parses, as the URL's (empty) one wins.
import type { ConnectionOptions } from 'node:tls';
import type { DatabaseSetting, PostgresTls } from '../runtime/database-setting.ts';

/** Parameters this module resolves itself; every other one (application_name, options, host,
 * ...) goes to pg as it would from the URL. */
const tlsParameters = new Set([
  'ssl',
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'uselibpqcompat',
]);

interface PgConnection {
  readonly [parameter: string]: unknown;
  readonly ssl: ConnectionOptions | false;
}

function tlsOptions(tls: PostgresTls | undefined): ConnectionOptions | false {
  if (tls === undefined) return false;
  const files = {
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key.reveal() }),
  };
  // libpq: require with a root certificate checks it as verify-ca does.
  const mode = tls.mode === 'require' && tls.ca !== undefined ? 'verify-ca' : tls.mode;
  if (mode === 'require') return { ...files, rejectUnauthorized: false };
  if (mode === 'verify-ca') return { ...files, checkServerIdentity: () => undefined };
  return files; // verify-full: Node checks the chain and that the certificate names the host
}

export function pgConnection(setting: DatabaseSetting): PgConnection {
  const url = new URL(setting.url);
  const parameters: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    if (!tlsParameters.has(name)) parameters[name] = value;
  const password = setting.password?.reveal() ?? decodeURIComponent(url.password);
  return {
    ...parameters,
    host: parameters['host'] ?? decodeURIComponent(url.hostname),
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    ...(url.username === '' ? {} : { user: decodeURIComponent(url.username) }),
    ...(url.pathname.length > 1 ? { database: decodeURIComponent(url.pathname.slice(1)) } : {}),
    // None: pg's own PGPASSWORD, then PGPASSFILE (~/.pgpass). knex keeps a password out of sight.
    ...(password === '' ? {} : { password }),
    ssl: tlsOptions(setting.tls),
  };
}
