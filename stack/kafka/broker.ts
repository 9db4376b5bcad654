// The single-node KRaft broker of the local stack: start it in the background, stop or kill it,
// report whether it runs. Process supervision is in background-process.ts, storage formatting in
// kraft-storage.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  fileSize,
  isRunning,
  logTail,
  readOptional,
  readProcessFile,
  waitUntilGone,
} from './background-process.ts';
import { ensureKafkaJars } from './jars.ts';
import { kafkaHost, kafkaLogDir, renderServerProperties } from './server-properties.ts';
import { formatStorageOnce, log4jConfigPath } from './kraft-storage.ts';
import { isTcpPortOpen, waitForTcpPort } from '../wait-for-port.ts';

export { ensureKafkaJars, type KafkaJars } from './jars.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');

// A loaded 2-core machine can take well over a minute to start a JVM broker.
const startTimeoutMs = 120_000;
const stopTimeoutMs = 60_000;
const killTimeoutMs = 10_000;
const maxLogBytesBeforeRotation = 20 * 1024 * 1024;

export interface KafkaBrokerOptions {
  /** Jars are kept in `<cacheDir>/libs-<kafka version>`. */
  cacheDir: string;
  /** server.properties, broker.pid, broker.log, cluster-id and the broker's log dirs. */
  dataDir: string;
  port: number;
  controllerPort: number;
  heapMb?: number;
}

export const defaultKafkaBrokerOptions: Readonly<Required<KafkaBrokerOptions>> = {
  cacheDir: join(repoRoot, '.cache', 'kafka'),
  dataDir: join(repoRoot, '.cache', 'kafka', 'data'),
  port: 9092,
  controllerPort: 9093,
  heapMb: 512,
};

export interface KafkaBrokerStart {
  pid: number;
  alreadyRunning: boolean;
  startupMs: number;
}

export interface KafkaBrokerStatus {
  /** A broker started by this module (per the pid file) is alive. */
  running: boolean;
  pid?: number;
  /** Something accepts connections on 127.0.0.1:<port> (not necessarily our broker). */
  listening: boolean;
}

interface BrokerPaths {
  serverProperties: string;
  pidFile: string;
  logFile: string;
  clusterIdFile: string;
  metaProperties: string;
}

function brokerPaths(dataDir: string): BrokerPaths {
  return {
    serverProperties: join(dataDir, 'server.properties'),
    pidFile: join(dataDir, 'broker.pid'),
    logFile: join(dataDir, 'broker.log'),
    clusterIdFile: join(dataDir, 'cluster-id'),
    metaProperties: join(kafkaLogDir(dataDir), 'meta.properties'),
  };
}

/**
 * Pids get reused, so a pid file alone could make us signal an unrelated process. On Linux the
 * command line must also name kafka.Kafka and this data dir's server.properties (a zombie's is empty).
 */
async function isOurBroker(pid: number, paths: BrokerPaths): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false; // ESRCH: gone; EPERM: another user's process, so not ours either
  }
  if (process.platform !== 'linux') return true;
  const cmdline = await readProcessFile(pid, 'cmdline');
  if (cmdline === undefined) return false;
  const args = cmdline.split('\0');
  return args.includes('kafka.Kafka') && args.includes(paths.serverProperties);
}

async function liveBrokerPid(paths: BrokerPaths): Promise<number | undefined> {
  const pid = Number.parseInt((await readOptional(paths.pidFile)) ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return (await isOurBroker(pid, paths)) ? pid : undefined;
}

function jvmArgs(heapMb: number): string[] {
  return [
    `-Xms${Math.min(256, heapMb)}m`,
    `-Xmx${heapMb}m`,
    // The GC settings Kafka's own launch scripts use.
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jConfigPath}`,
  ];
}

/** Ends the broker named by the pid file; false when none of ours was running. */
async function endBroker(
  opts: KafkaBrokerOptions,
  signal: 'SIGTERM' | 'SIGKILL',
): Promise<boolean> {
  const paths = brokerPaths(opts.dataDir);
  const pid = await liveBrokerPid(paths);
  if (pid === undefined) {
    await rm(paths.pidFile, { force: true });
    return false;
  }
  process.kill(pid, signal);
  let gone = await waitUntilGone(pid, signal === 'SIGKILL' ? killTimeoutMs : stopTimeoutMs);
  // Still running means not yet reaped, so the pid cannot have been reused.
  if (!gone && signal !== 'SIGKILL' && (await isRunning(pid))) {
    process.kill(pid, 'SIGKILL');
    gone = await waitUntilGone(pid, killTimeoutMs);
  }
  if (!gone) throw new Error(`Kafka broker pid ${pid} did not exit after SIGKILL`);
  await rm(paths.pidFile, { force: true });
  return true;
}

/**
 * Starts a single-node KRaft broker in the background (it outlives this process) and resolves once
 * it accepts connections. Returns the running one instead if a broker started here is already up.
 */
export async function startKafkaBroker(
  opts: KafkaBrokerOptions = defaultKafkaBrokerOptions,
): Promise<KafkaBrokerStart> {
  const began = performance.now();
  const elapsed = (): number => Math.round(performance.now() - began);
  const paths = brokerPaths(opts.dataDir);

  const runningPid = await liveBrokerPid(paths);
  if (runningPid !== undefined) {
    // It may itself still be starting (a concurrent start); callers expect a usable broker.
    await waitForTcpPort(kafkaHost, opts.port, startTimeoutMs, () => isRunning(runningPid));
    return { pid: runningPid, alreadyRunning: true, startupMs: elapsed() };
  }
  await rm(paths.pidFile, { force: true });
  for (const port of [opts.port, opts.controllerPort]) {
    if (await isTcpPortOpen(kafkaHost, port)) {
      throw new Error(
        `${kafkaHost}:${port} is already in use by a process this stack did not start (a Docker Kafka?): ` +
          'stop it, or use other ports',
      );
    }
  }

  const { libsDir } = await ensureKafkaJars(opts);
  await mkdir(opts.dataDir, { recursive: true });
  await writeFile(paths.serverProperties, renderServerProperties(opts));
  await formatStorageOnce(opts.dataDir, libsDir, paths);

  if ((await fileSize(paths.logFile)) > maxLogBytesBeforeRotation) {
    await rename(paths.logFile, `${paths.logFile}.1`);
  }
  const logOffset = await fileSize(paths.logFile);
  const log = await open(paths.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      'java',
      [
        ...jvmArgs(opts.heapMb ?? defaultKafkaBrokerOptions.heapMb),
        '-cp',
        join(libsDir, '*'),
        'kafka.Kafka',
        paths.serverProperties,
      ],
      // Own process group: Ctrl-C in the terminal that started it must not take the broker down.
      { cwd: opts.dataDir, detached: true, stdio: ['ignore', log.fd, log.fd] },
    );
  } finally {
    await log.close();
  }
  const exit: { reason?: string } = {};
  child.once('exit', (code, signal) => {
    exit.reason = signal ? `killed by ${signal}` : `exit code ${code}`;
  });
  child.once('error', (error) => {
    exit.reason = error.message;
  });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) {
    await sleep(0); // lets the 'error' event with the reason arrive
    throw new Error(`could not start java for the Kafka broker: ${exit.reason ?? 'unknown error'}`);
  }
  await writeFile(paths.pidFile, `${pid}\n`);

  try {
    await waitForTcpPort(kafkaHost, opts.port, startTimeoutMs, () => exit.reason === undefined);
  } catch (error) {
    const died = exit.reason !== undefined;
    if (!died) await endBroker(opts, 'SIGKILL');
    await rm(paths.pidFile, { force: true });
    const what = died
      ? `exited during start-up (${exit.reason})`
      : `did not accept connections on ${kafkaHost}:${opts.port} within ${startTimeoutMs / 1000} s and was killed`;
    throw new Error(
      `Kafka broker ${what}. Last lines of ${paths.logFile}:\n${await logTail(paths.logFile, logOffset)}`,
      {
        cause: error,
      },
    );
  }
  return { pid, alreadyRunning: false, startupMs: elapsed() };
}

/** SIGTERM (a clean shutdown), escalating to SIGKILL after 60 s. */
export function stopKafkaBroker(
  opts: KafkaBrokerOptions = defaultKafkaBrokerOptions,
): Promise<boolean> {
  return endBroker(opts, 'SIGTERM');
}

/** SIGKILL, as a crash would: for fault tests. */
export function killKafkaBroker(
  opts: KafkaBrokerOptions = defaultKafkaBrokerOptions,
): Promise<boolean> {
  return endBroker(opts, 'SIGKILL');
}

export async function kafkaBrokerStatus(
  opts: KafkaBrokerOptions = defaultKafkaBrokerOptions,
): Promise<KafkaBrokerStatus> {
  const pid = await liveBrokerPid(brokerPaths(opts.dataDir));
  const listening = await isTcpPortOpen(kafkaHost, opts.port);
  return pid === undefined ? { running: false, listening } : { running: true, pid, listening };
}
