// Local Postgres for the stack: start the machine's cluster if it is installed but down, and create
// the database named in DATABASE_URL if it is missing.
import { execFile } from 'node:child_process';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { isTcpPortOpen, waitForTcpPort } from './wait-for-port.ts';

const execFileAsync = promisify(execFile);
const markerFile = resolve(
  import.meta.dirname,
  '..',
  '.cache',
  'stack',
  'postgres-started-by-stack',
);
const localHosts = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export interface PostgresTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
}

export function postgresTarget(databaseUrl: string): PostgresTarget {
  const url = new URL(databaseUrl);
  return {
    host: url.hostname || '127.0.0.1',
    port: Number(url.port || 5432),
    database: decodeURIComponent(url.pathname.slice(1)) || 'postgres',
  };
}

/** A URL to the same server's `postgres` database, for CREATE DATABASE. */
export function maintenanceUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

async function localClusterFor(
  port: number,
): Promise<{ version: string; name: string } | undefined> {
  try {
    const { stdout } = await execFileAsync('pg_lsclusters', ['--no-header']);
    for (const line of stdout.split('\n')) {
      const [version, name, clusterPort] = line.trim().split(/\s+/);
      if (version && name && Number(clusterPort) === port) return { version, name };
    }
  } catch {
    // No Debian postgresql-common tools: nothing we can start.
  }
  return undefined;
}

/** Starts the local cluster if it is down; returns whether it had to. */
export async function ensurePostgresRunning(databaseUrl: string): Promise<boolean> {
  const { host, port } = postgresTarget(databaseUrl);
  if (await isTcpPortOpen(host, port)) return false;
  const cluster = localHosts.has(host) ? await localClusterFor(port) : undefined;
  if (cluster === undefined) {
    throw new Error(
      `Postgres does not answer on ${host}:${port} and no local cluster for that port is installed: ` +
        'start Postgres, set DATABASE_URL, or use `docker compose up -d`',
    );
  }
  await execFileAsync('pg_ctlcluster', [
    '--skip-systemctl-redirect',
    cluster.version,
    cluster.name,
    'start',
  ]);
  await waitForTcpPort(host, port, 60_000);
  await mkdir(join(markerFile, '..'), { recursive: true });
  await writeFile(markerFile, `${cluster.version} ${cluster.name}\n`);
  return true;
}

/** Stops the local cluster only if ensurePostgresRunning started it; returns whether it did. */
export async function stopPostgresIfStartedByStack(): Promise<boolean> {
  try {
    await access(markerFile);
  } catch {
    return false;
  }
  const [version, name] = (await readFile(markerFile, 'utf8')).trim().split(' ');
  if (version && name)
    await execFileAsync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'stop']);
  await rm(markerFile, { force: true });
  return true;
}
