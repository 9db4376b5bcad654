// A three-node KRaft cluster of the test's own, from the jars the stack caches: every node is broker
// and controller in one JVM (three processes fit two cores better than six), with its own ports and
// data directory under a temporary directory. Replication factor 3 and min.insync.replicas 2 for
// every topic, as a production cluster would have them, so a node can be killed without a loss.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logTail } from '../../../stack/kafka/background-process.ts';
import { defaultKafkaBrokerOptions, ensureKafkaJars } from '../../../stack/kafka/broker.ts';
import { log4jConfigPath } from '../../../stack/kafka/kraft-storage.ts';
import { waitForTcpPort } from '../../../stack/wait-for-port.ts';
import { freePort } from '../../../stack/free-port.ts';

const host = '127.0.0.1';
// A JVM on a loaded two-core machine shared with the test can take minutes to open its port.
const startTimeoutMs = 360_000;
const stopTimeoutMs = 90_000;
export const nodeIds = [1, 2, 3] as const;
export type NodeId = (typeof nodeIds)[number];

interface ClusterNode {
  readonly id: NodeId;
  readonly port: number;
  readonly controllerPort: number;
  readonly dir: string;
  process?: { readonly child: ChildProcess; readonly exited: Promise<void> };
}

export interface KafkaCluster {
  readonly brokers: string[];
  /** SIGKILL, as a crash would. */
  kill(id: NodeId): Promise<void>;
  /** SIGTERM: a controlled shutdown (leadership handed over first). */
  stop(id: NodeId): Promise<void>;
  start(id: NodeId): Promise<void>;
  /** The node the controller quorum follows, from the quorum state every node writes. */
  activeController(): Promise<NodeId>;
  destroy(): Promise<void>;
}

function serverProperties(node: ClusterNode, voters: string): string {
  const settings: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': node.id,
    'controller.quorum.voters': voters,
    listeners: `PLAINTEXT://${host}:${node.port},CONTROLLER://${host}:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${host}:${node.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': join(node.dir, 'logs'),
    'default.replication.factor': 3,
    'min.insync.replicas': 2,
    'offsets.topic.replication.factor': 3,
    'offsets.topic.num.partitions': 3,
    'transaction.state.log.replication.factor': 3,
    'transaction.state.log.min.isr': 2,
    'share.coordinator.state.topic.replication.factor': 3,
    'share.coordinator.state.topic.min.isr': 2,
    'group.initial.rebalance.delay.ms': 0,
    'auto.create.topics.enable': 'false',
    'log.cleaner.dedupe.buffer.size': 16777216,
    // Fewer threads than a production broker: three JVMs share two cores with the test.
    'num.network.threads': 2,
    'num.io.threads': 2,
    'num.replica.fetchers': 1,
    'background.threads': 2,
  };
  return `${Object.entries(settings)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join('\n')}\n`;
}

function jvmArgs(): string[] {
  return [
    '-Xms128m',
    '-Xmx384m',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:ParallelGCThreads=1',
    '-XX:ConcGCThreads=1',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jConfigPath}`,
  ];
}

async function runJava(args: string[], logFile: string): Promise<void> {
  const log = await open(logFile, 'a');
  try {
    const child = spawn('java', args, { stdio: ['ignore', log.fd, log.fd] });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('exit', resolve);
      child.once('error', reject);
    });
    if (code !== 0)
      throw new Error(`java ${args.at(-4) ?? ''} failed: ${await logTail(logFile, 0)}`);
  } finally {
    await log.close();
  }
}

export async function startKafkaCluster(): Promise<KafkaCluster> {
  const root = await mkdtemp(join(tmpdir(), 'cluster-kafka-'));
  const { libsDir } = await ensureKafkaJars(defaultKafkaBrokerOptions);
  const classpath = join(libsDir, '*');
  const nodes = new Map<NodeId, ClusterNode>();
  for (const id of nodeIds) {
    nodes.set(id, {
      id,
      port: await freePort(),
      controllerPort: await freePort(),
      dir: join(root, `node-${id}`),
    });
  }
  const node = (id: NodeId): ClusterNode => nodes.get(id)!;
  const voters = nodeIds.map((id) => `${id}@${host}:${node(id).controllerPort}`).join(',');
  const propertiesOf = (id: NodeId) => join(node(id).dir, 'server.properties');
  const logOf = (id: NodeId) => join(node(id).dir, 'broker.log');

  // One cluster id, every node formatted with the static quorum (no --standalone).
  const clusterId = randomBytes(16).toString('base64url');
  await Promise.all(
    nodeIds.map(async (id) => {
      await mkdir(node(id).dir, { recursive: true });
      await writeFile(propertiesOf(id), serverProperties(node(id), voters));
      await runJava(
        [
          '-Xmx128m',
          `-Dlog4j2.configurationFile=${log4jConfigPath}`,
          '-cp',
          classpath,
          'kafka.tools.StorageTool',
          'format',
          '-t',
          clusterId,
          '-c',
          propertiesOf(id),
        ],
        logOf(id),
      );
    }),
  );

  const spawnNode = async (id: NodeId) => {
    const log = await open(logOf(id), 'a');
    try {
      const child = spawn(
        'java',
        [...jvmArgs(), '-cp', classpath, 'kafka.Kafka', propertiesOf(id)],
        {
          cwd: node(id).dir,
          stdio: ['ignore', log.fd, log.fd],
        },
      );
      if (child.pid === undefined) throw new Error(`could not start Kafka node ${id}`);
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      node(id).process = { child, exited };
    } finally {
      await log.close();
    }
  };
  const waitForNode = async (id: NodeId) => {
    const child = node(id).process?.child;
    await waitForTcpPort(
      host,
      node(id).port,
      startTimeoutMs,
      () => child !== undefined && child.exitCode === null && child.signalCode === null,
    ).catch(async (error: unknown) => {
      throw new Error(`Kafka node ${id} did not start: ${await logTail(logOf(id), 0)}`, {
        cause: error,
      });
    });
  };
  const end = async (id: NodeId, signal: 'SIGTERM' | 'SIGKILL') => {
    const running = node(id).process;
    if (running === undefined) return;
    running.child.kill(signal);
    const timeoutMs = signal === 'SIGKILL' ? 10_000 : stopTimeoutMs;
    if ((await Promise.race([running.exited, sleep(timeoutMs, 'late')])) === 'late') {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    node(id).process = undefined;
  };

  const cluster: KafkaCluster = {
    brokers: nodeIds.map((id) => `${host}:${node(id).port}`),
    kill: (id) => end(id, 'SIGKILL'),
    stop: (id) => end(id, 'SIGTERM'),
    async start(id) {
      await spawnNode(id);
      await waitForNode(id);
    },
    async activeController() {
      // quorum-state: {"leaderId":2,"leaderEpoch":5,...}; the newest epoch any live node knows.
      let best: { leaderId: number; leaderEpoch: number } | undefined;
      for (const id of nodeIds) {
        const path = join(node(id).dir, 'logs', '__cluster_metadata-0', 'quorum-state');
        const state = JSON.parse(await readFile(path, 'utf8').catch(() => '{}')) as {
          leaderId?: number;
          leaderEpoch?: number;
        };
        if (state.leaderId === undefined || state.leaderEpoch === undefined) continue;
        if (best === undefined || state.leaderEpoch > best.leaderEpoch)
          best = { leaderId: state.leaderId, leaderEpoch: state.leaderEpoch };
      }
      const leader = nodeIds.find((id) => id === best?.leaderId);
      if (leader === undefined) throw new Error('no node names an active controller');
      return leader;
    },
    async destroy() {
      await Promise.all(nodeIds.map((id) => end(id, 'SIGKILL').catch(() => undefined)));
      await rm(root, { recursive: true, force: true });
    },
  };

  try {
    for (const id of nodeIds) await spawnNode(id);
    await Promise.all(nodeIds.map(waitForNode));
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return cluster;
}
