// How a command reaches Postgres: the URL, the password (in the URL, or from a file such as a
// mounted Secret) and TLS. TLS follows libpq: `sslmode`, `sslrootcert`, `sslcert`, `sslkey` in the
// URL, else PGSSLMODE, PGSSLROOTCERT, PGSSLCERT, PGSSLKEY. pg 8 itself treats require and
// verify-ca as verify-full, ignores PGSSLROOTCERT, and reads a URL's sslrootcert at every connect;
// resolving them here gives libpq's meanings and reads every file once, at start.
import { ConfigError } from './config-error.ts';
import { Secret } from './secret.ts';
import { readPasswordFile, readPemFile } from './setting-files.ts';

type PostgresSslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

export interface PostgresTls {
  /** require: encrypted, certificate not checked (libpq: checked against the CA when one is given);
   * verify-ca: the CA signed it; verify-full: that, and it names the host dialled. */
  readonly mode: Exclude<PostgresSslMode, 'disable'>;
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: Secret;
}

/** A postgres:// URL and the variable it was read from (messages tell the user which to set). */
export interface DatabaseSetting {
  readonly url: string;
  readonly variable: 'DATABASE_URL' | 'MIGRATIONS_DATABASE_URL';
  /** From DATABASE_PASSWORD_FILE / MIGRATIONS_DATABASE_PASSWORD_FILE; else the URL's, else pg's
   * own PGPASSWORD or PGPASSFILE. */
  readonly password?: Secret;
  readonly tls?: PostgresTls;
}

type Env = Readonly<Record<string, string | undefined>>;

const sslModes = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
// pg's name for require.
const sslModeAliases: Readonly<Record<string, PostgresSslMode>> = { 'no-verify': 'require' };

/** The URL's parameter, else libpq's environment variable. */
const libpqSetting = (url: URL, env: Env, parameter: string, variable: string) => {
  const value = url.searchParams.get(parameter) ?? env[variable]?.trim() ?? '';
  return { value, from: url.searchParams.has(parameter) ? `${parameter} in the URL` : variable };
};

function readTls(url: URL, env: Env): PostgresTls | undefined {
  const mode = libpqSetting(url, env, 'sslmode', 'PGSSLMODE');
  const given = sslModeAliases[mode.value] ?? mode.value;
  if (given === '' || given === 'disable') return undefined;
  if (!(sslModes as readonly string[]).includes(given)) {
    // prefer and allow fall back to plaintext, which pg cannot do: say so instead of guessing.
    throw new ConfigError(
      `${mode.from}: sslmode must be one of ${sslModes.join(', ')}, got "${mode.value}"`,
    );
  }
  const rootCert = libpqSetting(url, env, 'sslrootcert', 'PGSSLROOTCERT');
  const cert = libpqSetting(url, env, 'sslcert', 'PGSSLCERT');
  const key = libpqSetting(url, env, 'sslkey', 'PGSSLKEY');
  if ((cert.value === '') !== (key.value === ''))
    throw new ConfigError('sslcert and sslkey go together (PGSSLCERT and PGSSLKEY)');
  return {
    mode: given as PostgresTls['mode'],
    // libpq's sslrootcert=system: the public roots, which is what Node trusts with no CA given.
    ...(rootCert.value === '' || rootCert.value === 'system'
      ? {}
      : { ca: readPemFile(rootCert.from, rootCert.value) }),
    ...(cert.value === '' ? {} : { cert: readPemFile(cert.from, cert.value) }),
    ...(key.value === '' ? {} : { key: new Secret(readPemFile(key.from, key.value)) }),
  };
}

export function readDatabaseSetting(
  env: Env,
  url: string,
  variable: DatabaseSetting['variable'],
  passwordFileVariable: 'DATABASE_PASSWORD_FILE' | 'MIGRATIONS_DATABASE_PASSWORD_FILE',
): DatabaseSetting {
  const parsed = new URL(url);
  const passwordFile = env[passwordFileVariable]?.trim() ?? '';
  if (passwordFile !== '' && parsed.password !== '') {
    throw new ConfigError(
      `${variable} holds a password and ${passwordFileVariable} is set: give the password in one place`,
    );
  }
  const tls = readTls(parsed, env);
  return Object.freeze({
    url,
    variable,
    ...(passwordFile === ''
      ? {}
      : { password: readPasswordFile(passwordFileVariable, passwordFile) }),
    ...(tls === undefined ? {} : { tls }),
  });
}
