// A real cluster's failover, on each Kafka client: three KRaft nodes (RF 3, min.insync.replicas 2),
// two consumer processes in one group, events and some invalid ones (dead letters) flowing. The
// node that leads partitions and coordinates the group is killed (-9), then the active controller,
// then every node is restarted in turn. Afterwards every record the topic holds is stored exactly
// once or dead-lettered, every dead letter is in the dead-letter topic, the counters of /metrics
// match the rows, no client crashed and restarted itself, and both processes exit cleanly.
// Outside `npm test` (about 7 minutes, both clients): `npm run test:faults:cluster`.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { createMessaging } from '../../src/adapters/create-messaging.ts';
import { toEventMessage } from '../../src/apps/producer/event-message.ts';
import { generateOldEvent } from '../../src/apps/producer/generate-event.ts';
import type { Producer } from '../../src/messaging/port.ts';
import { expectRunning } from '../support/consumer-process.ts';
import { groupProgress } from '../support/lost-events.ts';
import {
  createPipelineHarness,
  testLogger,
  type PipelineHarness,
} from '../support/pipeline-harness.ts';
import { runScript, type RunningScript } from '../support/run-script.ts';
import { testServices } from '../support/services.ts';
import { waitUntil } from '../support/wait-until.ts';
import { startEventStream } from '../faults/support/event-stream.ts';
import { watchStalls } from '../faults/support/stall-monitor.ts';
import { groupCoordinator, waitForFullIsr, watchMembers } from './support/cluster-probes.ts';
import {
  internalRestarts,
  opsPort,
  readingResumed,
  scrapeCounters,
} from './support/consumer-figures.ts';
import { nodeIds, startKafkaCluster, type KafkaCluster } from './support/kafka-cluster.ts';
import { readTopic } from './support/topic-contents.ts';

const clients = ['kafkajs', 'platformatic'] as const;
const ratePerSecond = 200;
/** One invalid event (a dead letter) in this many chunks of the stream. */
const invalidEvery = 10;
const killedNodeDownMs = 15_000;

describe('a three-node Kafka cluster failing over under the consumer', function () {
  this.timeout(1_200_000);
  let cluster: KafkaCluster | undefined;
  let databaseUrl: string;

  before(async () => {
    databaseUrl = (await testServices()).databaseUrl;
    cluster = await startKafkaCluster();
  });
  after(async () => {
    await cluster?.destroy();
  });

  for (const client of clients) {
    describe(`on ${client}`, () => {
      let harness: PipelineHarness | undefined;
      let producer: Producer | undefined;
      const processes: RunningScript[] = [];
      const cleanups: (() => Promise<unknown>)[] = [];
      afterEach(async () => {
        for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
        // Every consumer's log, for the figures and a failure's story.
        const logDir = await mkdtemp(join(tmpdir(), `cluster-failover-${client}-`));
        for (const [index, script] of processes.entries())
          await writeFile(join(logDir, `consumer-${index + 1}.log`), script.output());
        console.log(`consumer logs: ${logDir}`);
        for (const script of processes.splice(0)) {
          if (script.child.exitCode === null) script.child.kill('SIGKILL');
          await script.exited;
        }
        await producer?.disconnect().catch(() => undefined);
        await harness?.close();
      });

      it('loses nothing, dead-letters every invalid event, counts exactly and never restarts its client', async () => {
        const kafka = cluster!;
        const h = await createPipelineHarness({
          services: { databaseUrl, kafkaBrokers: kafka.brokers },
          partitions: 6,
          env: { KAFKA_CLIENT: client },
        });
        harness = h;
        const { topic, dlqTopic, consumerGroupId: groupId } = h.config;
        const startConsumer = () => {
          const script = runScript('src/apps/consumer/main.ts', [], {
            DATABASE_URL: h.databaseUrl,
            KAFKA_BROKERS: kafka.brokers.join(','),
            KAFKA_CLIENT: client,
            KAFKA_TOPIC: topic,
            KAFKA_DLQ_TOPIC: dlqTopic,
            KAFKA_GROUP_ID: groupId,
            LOG_LEVEL: 'info',
            LOG_FORMAT: 'json',
          });
          processes.push(script);
          return script;
        };
        const consumers = [startConsumer(), startConsumer()];
        const ports = await Promise.all(consumers.map(opsPort));
        const members = watchMembers(h.kafka, groupId);
        cleanups.push(() => members.stop());

        // The events go through the client's own port producer: the one that sends dead letters.
        const messaging = await createMessaging(h.config, testLogger);
        const sender = messaging.createProducer();
        await sender.connect();
        producer = sender;
        // Every invalid event sent, acknowledged or not: a failed send may still have reached the
        // topic (the stream then sends its valid events again, with a new invalid one).
        const invalidIds = new Set<string>();
        const invalidAcknowledged = new Set<string>();
        let chunks = 0;
        let faultsDone = false;
        let validAtFaultsDone = 0;
        const stream = startEventStream({
          ratePerSecond,
          minCount: 10_000,
          continueWhile: () => !faultsDone || stream.sent() - validAtFaultsDone < 2_000,
          send: async (messages) => {
            chunks += 1;
            const invalid = chunks % invalidEvery === 0 ? generateOldEvent() : undefined;
            const extra =
              invalid === undefined ? [] : [toEventMessage({ ...invalid, quantity: 0 })];
            if (invalid !== undefined) invalidIds.add(invalid.eventId);
            await sender.send(topic, [
              ...messages.map(({ key, value }) => ({ key: key ?? null, value: value ?? null })),
              ...extra,
            ]);
            if (invalid !== undefined) invalidAcknowledged.add(invalid.eventId);
          },
        });
        cleanups.push(async () => {
          stream.stop();
          await stream.finished.catch(() => undefined);
        });
        const stalls = await watchStalls({
          databaseUrl: h.databaseUrl,
          produced: () => stream.sent(),
        });
        let stallsStopped = false;
        cleanups.push(() => (stallsStopped ? Promise.resolve() : stalls.stop()));
        const stillRunning = () => consumers.forEach(expectRunning);
        const storedAtLeast = (rows: number) =>
          waitUntil(
            `${rows} rows`,
            async () => {
              stillRunning();
              return (await h.countRows()) >= rows;
            },
            300_000,
            500,
          );
        const faults: Record<string, unknown>[] = [];

        // 1. The node leading partitions and coordinating the group: killed, down 15 s, back.
        await storedAtLeast(2_000);
        const coordinator = await groupCoordinator(h.kafka, groupId, topic);
        await kafka.kill(coordinator.node as (typeof nodeIds)[number]);
        await sleep(killedNodeDownMs); // the outage itself
        await kafka.start(coordinator.node as (typeof nodeIds)[number]);
        await waitForFullIsr(h.kafka, [topic, dlqTopic]);
        faults.push({ fault: 'kill -9 leader + coordinator', ...coordinator });

        // 2. The active controller: killed, down 15 s, back.
        await storedAtLeast((await h.countRows()) + 1_500);
        const controller = await kafka.activeController();
        await kafka.kill(controller);
        await sleep(killedNodeDownMs);
        await kafka.start(controller);
        await waitForFullIsr(h.kafka, [topic, dlqTopic]);
        faults.push({ fault: 'kill -9 active controller', node: controller });

        // 3. A rolling restart: each node stopped cleanly, started, back in sync before the next.
        for (const node of nodeIds) {
          await storedAtLeast((await h.countRows()) + 500);
          await kafka.stop(node);
          await kafka.start(node);
          await waitForFullIsr(h.kafka, [topic, dlqTopic]);
        }
        faults.push({ fault: 'rolling restart', nodes: nodeIds });
        validAtFaultsDone = stream.sent();
        faultsDone = true;
        await stream.finished;

        await waitUntil(
          `group ${groupId} to commit ${topic} to its end`,
          async () => {
            stillRunning();
            return (await groupProgress(h.kafka, groupId, topic)).state !== 'behind';
          },
          300_000,
          1_000,
        );
        const stall = await stalls.stop();
        stallsStopped = true;
        const counters = await Promise.all(ports.map(scrapeCounters));
        const memberIds = await members.stop();

        // What the broker holds is the truth; an acknowledged event missing from it was lost by
        // the producer (the dead letters' producer).
        const onTopic = await readTopic(h.kafka, topic);
        const acknowledged = [...stream.ids, ...invalidAcknowledged];
        const ackedButAbsent = acknowledged.filter((id) => !onTopic.eventIds.has(id));
        const storedIds = new Set(
          (await h.db('product_events').select<{ event_id: string }[]>('event_id')).map(
            (row) => row.event_id,
          ),
        );
        const letters = await readTopic(h.kafka, dlqTopic);
        const validOnTopic = [...onTopic.eventIds.keys()].filter((id) => !invalidIds.has(id));
        const invalidOnTopic = [...onTopic.eventIds.keys()].filter((id) => invalidIds.has(id));
        const notStored = validOnTopic.filter((id) => !storedIds.has(id));
        const notDeadLettered = invalidOnTopic.filter((id) => !letters.eventIds.has(id));
        const total = (key: keyof (typeof counters)[number]) =>
          counters.reduce((sum, one) => sum + one[key], 0);
        const restarts = consumers.map(internalRestarts);

        console.log(
          JSON.stringify({
            scenario: `cluster failover, ${client}`,
            faults,
            events: onTopic.records,
            recordsByOffsets: onTopic.recordsByOffsets,
            valid: validOnTopic.length,
            stored: storedIds.size,
            deadLettersSent: total('deadLettered'),
            deadLettersExpected: invalidOnTopic.length,
            deadLettersFound: letters.eventIds.size,
            deadLetterRecords: letters.records,
            deadLetterRecordsByOffsets: letters.recordsByOffsets,
            ackedButAbsent: ackedButAbsent.length,
            consumed: total('consumed'),
            redeliveries: total('consumed') - onTopic.records,
            countedStored: total('stored'),
            longestStallMs: Math.round(stall.longestStallMs),
            internalRestarts: restarts,
            readingResumed: consumers.map(readingResumed),
            memberIds: memberIds.size,
            sendFailures: stream.sendFailures(),
          }),
        );

        expect(
          ackedButAbsent.slice(0, 5),
          `${ackedButAbsent.length} acknowledged sends not on the topic`,
        ).to.deep.equal([]);
        expect(notStored.slice(0, 5), `${notStored.length} valid events not stored`).to.deep.equal(
          [],
        );
        expect(storedIds.size, 'rows').to.equal(validOnTopic.length);
        expect(
          notDeadLettered.slice(0, 5),
          `${notDeadLettered.length} invalid events not in ${dlqTopic}`,
        ).to.deep.equal([]);
        expect(invalidOnTopic.length, 'invalid events sent').to.be.above(0);
        expect(total('stored'), 'stored, as /metrics counts it').to.equal(storedIds.size);
        expect(total('consumed'), 'consumed = every outcome counted').to.equal(
          total('stored') + total('duplicates') + total('deadLettered') + total('skipped'),
        );
        expect(restarts, 'internal restarts of the Kafka client').to.deep.equal([0, 0]);

        for (const script of consumers) {
          script.child.kill('SIGTERM');
          expect(await script.exited, script.output().slice(-4000)).to.equal(0);
        }
      });
    });
  }
});
