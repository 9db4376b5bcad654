// A Postgres server of the test's own (own data directory, own port, the embedded server
// binaries), so a test can stop it without touching the machine's shared one, and a failed test
// leaves nothing stopped behind.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresTools } from '../../../stack/postgres/embedded-postgres.ts';
import { freePort } from '../../../stack/free-port.ts';

export interface PrivatePostgres {
  readonly url: string;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** With a password, TCP connections must give it (scram-sha-256): a server that refuses a wrong
 * one, which the shared server (trust) cannot show. */
export async function startPrivatePostgres(
  options: { readonly password?: string } = {},
): Promise<PrivatePostgres> {
  // The embedded PostgreSQL 15 binaries, as the local stack uses them; as root, run as the
  // postgres OS user (initdb and postgres refuse root).
  const tools = await postgresTools();
  const dir = await mkdtemp(join(tmpdir(), 'faults-pg-'));
  const dataDir = join(dir, 'data');
  const port = await freePort();
  await tools.ownedDir(dir);
  const pg = tools.run;

  const passwordFile = join(dir, 'password');
  if (options.password !== undefined) await writeFile(passwordFile, `${options.password}\n`);
  const authentication =
    options.password === undefined
      ? ['-A', 'trust']
      : ['--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${passwordFile}`];
  await pg('initdb', [
    '-D',
    dataDir,
    '-U',
    'postgres',
    ...authentication,
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off`;
  const start = async () => {
    await pg('pg_ctl', [
      '-D',
      dataDir,
      '-o',
      serverOptions,
      '-l',
      join(dir, 'server.log'),
      '-w',
      'start',
    ]);
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await pg('pg_ctl', ['-D', dataDir, '-m', mode, '-w', 'stop']);
  };
  await start();
  return {
    url: `postgres://postgres${options.password === undefined ? '' : `:${encodeURIComponent(options.password)}`}@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async destroy() {
      await stop('immediate').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
