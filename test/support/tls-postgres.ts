// A Postgres server of the test's own that takes TLS connections only (hostssl lines alone in
// pg_hba.conf), with a certificate of a throwaway CA for localhost and 127.0.0.1, and
// scram-sha-256 passwords: what a managed Postgres with verify-full looks like.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { postgresTools } from '../../stack/postgres/embedded-postgres.ts';
import { freePort } from '../../stack/free-port.ts';
import { createThrowawayCa } from '../../stack/throwaway-ca.ts';

const run = promisify(execFile);

export interface TlsPostgres {
  readonly port: number;
  readonly caFile: string;
  readonly untrustedCaFile: string;
  readonly password: string;
  /** Holds `password` and a newline. */
  readonly passwordFile: string;
  destroy(): Promise<void>;
}

export async function startTlsPostgres(): Promise<TlsPostgres> {
  const tools = await postgresTools();
  const dir = await mkdtemp(join(tmpdir(), 'tls-pg-'));
  const certs = join(dir, 'certs');
  await run('mkdir', ['-p', certs]);
  const ca = await createThrowawayCa(certs, 'ca');
  const untrusted = await createThrowawayCa(certs, 'untrusted-ca');
  const server = await ca.issue('postgres-server');
  const dataDir = join(dir, 'data');
  await tools.ownedDir(dir);
  const password = `pg-${Math.random().toString(36).slice(2)}`;
  const passwordFile = join(dir, 'password');
  await writeFile(passwordFile, `${password}\n`);
  const serverKey = join(dir, 'server.key');
  const serverCert = join(dir, 'server.pem');
  await copyFile(server.key, serverKey);
  await copyFile(server.cert, serverCert);
  // Postgres refuses a key others can read, and runs as the postgres OS user when we are root.
  await run('chmod', ['600', serverKey]);
  if (process.getuid?.() === 0) await run('chown', ['-R', 'postgres:postgres', dir]);
  await tools.run('initdb', [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    `--pwfile=${passwordFile}`,
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const hba = join(dataDir, 'pg_hba.conf');
  await writeFile(
    hba,
    'hostssl all all 127.0.0.1/32 scram-sha-256\nhostssl all all ::1/128 scram-sha-256\n',
  );
  if (process.getuid?.() === 0) await run('chown', ['postgres:postgres', hba]);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    '-c listen_addresses=localhost',
    '-c unix_socket_directories=',
    '-c fsync=off',
    '-c ssl=on',
    `-c ssl_cert_file=${serverCert}`,
    `-c ssl_key_file=${serverKey}`,
  ].join(' ');
  await tools.run('pg_ctl', [
    '-D',
    dataDir,
    '-o',
    options,
    '-l',
    join(dir, 'server.log'),
    '-w',
    'start',
  ]);
  return {
    port,
    caFile: ca.caFile,
    untrustedCaFile: untrusted.caFile,
    password,
    passwordFile,
    async destroy() {
      await tools
        .run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop'])
        .catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
