// Record batches as real producers write them, sized to break a consumer that decodes a batch
// whole: a gzip and a zstd "bomb" (valid events, each 1 MiB of whitespace-padded JSON, a dozen to
// a batch of a few KB, five times the heap cap in all) and a burst of uncompressed near-1 MiB
// events (a third of the costliest shape to decode), each followed by small events on every
// partition. Written by Kafka's Java client, read by the consumer as its own process with the
// production heap flags, on each Kafka client: it must never die, must store (or dead-letter with
// a code) every event, and stay under an RSS bound.
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { consumerNodeFlags } from '../../src/apps/consumer/node-flags.ts';
import { createPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';
import { expectRunning, isRunning } from '../support/consumer-process.ts';
import { readDeadLetterOutcomes } from '../support/dead-letter-outcomes.ts';
import { groupLag } from '../support/group-progress.ts';
import {
  runJavaProducer,
  type JavaProducerConfig,
  type JavaProducerResult,
} from '../support/java-producer/java-producer.ts';
import { runScript, type RunningScript } from '../support/run-script.ts';
import { expectedRow, readRows } from '../support/stored-rows.ts';
import { waitUntil } from '../support/wait-until.ts';
import {
  bombEventCount,
  heapCapBytes,
  largeBatches,
  type LargeBatches,
  type Padding,
} from './support/large-batches.ts';

const clients = ['kafkajs', 'platformatic'] as const;
const partitions = 3;
/**
 * Peak RSS allowed while the consumer reads them (VmHWM), derived: 160 MiB of old space (the heap
 * cap) + 3 x 8 MiB semi-spaces + about 40 MiB of code, stacks and Node itself, + what the client
 * holds decoded: 3 partitions x (the 8 MiB a partition of one fetch may hold + the one batch that
 * crosses it, 12 MiB here) = 60 MiB: about 290 MB at the worst, measured 285 MB (kafkajs) and
 * 236-264 MB (platformatic); 340 leaves room for GC timing on a loaded machine. A consumer that
 * holds a fetch's decoded batches whole (1.8-3.4 GB before issue 18) goes far past it.
 */
const peakRssBoundMb = 340;
/**
 * Long enough for 0.9 GB of decoded JSON on a loaded 2-core machine (at 1.7 GB: 20-35 s alone, over
 * 150 s beside the integration suites at their busiest); a stuck consumer fails.
 */
const drainTimeoutMs = 300_000;

const bigBatchProducer = (
  compressionType: 'gzip' | 'zstd',
  compressionLevel?: number,
): JavaProducerConfig => ({
  compressionType,
  ...(compressionLevel === undefined ? {} : { compressionLevel }),
  batchSize: 16 * 1024 * 1024,
  lingerMs: 60_000,
  // The client checks a record's uncompressed size against max.request.size; the broker sees KBs.
  maxRequestSize: 2 * 1024 * 1024,
  bufferMemory: 128 * 1024 * 1024,
});

const scenarios: readonly {
  title: string;
  padded: number;
  padding: Padding;
  producer: JavaProducerConfig;
  maxBrokerBytesPerDecodedByte: number;
}[] = [
  {
    title: 'a gzip bomb',
    padded: bombEventCount(partitions),
    // Level 4: on whitespace as small as the default 6 (about 15 KB a dozen), in less time.
    padding: 'whitespace',
    producer: bigBatchProducer('gzip', 4),
    maxBrokerBytesPerDecodedByte: 1 / 500,
  },
  {
    title: 'a zstd bomb',
    padded: bombEventCount(partitions),
    padding: 'whitespace',
    producer: bigBatchProducer('zstd'),
    maxBrokerBytesPerDecodedByte: 1 / 500,
  },
  {
    title: `a burst of ${3 * 12} uncompressed near-1 MiB events, a third of the costliest shape to decode`,
    padded: 3 * 12,
    padding: 'every third costliest to decode',
    producer: { compressionType: 'none', maxRequestSize: 2 * 1024 * 1024 },
    maxBrokerBytesPerDecodedByte: 1.1,
  },
];

interface Figure {
  scenario: string;
  client: string;
  events: number;
  decodedMB: number;
  brokerKB: number;
  peakRssMb: number;
  seconds: number;
}
const figures: Figure[] = [];

async function peakRssMb(script: RunningScript): Promise<number> {
  const status = await readFile(`/proc/${script.child.pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

/** Lines a dying or crashing consumer writes: V8's out-of-memory report, exitOnFatal's line. */
const crashLines = (output: string) =>
  output
    .split('\n')
    .filter((line) => /heap out of memory|FATAL ERROR|fatal error, exiting/i.test(line));

describe('batches that decode to far more than the heap, from the Java client', function () {
  this.timeout(600_000);
  after(() => {
    for (const figure of figures)
      console.log(JSON.stringify({ test: 'bombs and bursts', ...figure }));
  });

  for (const scenario of scenarios) {
    describe(scenario.title, function () {
      let harness: PipelineHarness | undefined;
      let written: LargeBatches;
      let produced: JavaProducerResult;
      let consumer: RunningScript | undefined;

      before(async () => {
        harness = await createPipelineHarness({ partitions });
        written = largeBatches({
          bootstrapServers: harness.config.kafkaBrokers.join(','),
          topic: harness.config.topic,
          partitions,
          padded: scenario.padded,
          producer: scenario.producer,
          padding: scenario.padding,
        });
        produced = await runJavaProducer(written.spec);
      });
      afterEach(async () => {
        if (consumer !== undefined && isRunning(consumer)) consumer.child.kill('SIGKILL');
        await consumer?.exited;
        consumer = undefined;
      });
      after(async () => {
        await harness?.close();
      });

      it('is what it claims: every event written, a fraction of the decoded bytes on the broker', () => {
        expect(produced.sent).to.equal(written.events.length);
        if (scenario.padded > 36) expect(written.decodedBytes).to.be.at.least(5 * heapCapBytes);
        const brokerBytes = Object.values(produced.logBytes ?? {}).reduce((a, b) => a + b, 0);
        expect(brokerBytes).to.be.greaterThan(0);
        expect(brokerBytes).to.be.at.most(
          written.decodedBytes * scenario.maxBrokerBytesPerDecodedByte,
        );
      });

      for (const client of clients) {
        it(`on ${client}: the consumer never dies, stores every event, keeps every partition flowing and peaks under ${peakRssBoundMb} MB RSS`, async () => {
          const h = harness!;
          // One topic, read once per client: a group and an empty table each.
          await h.db.raw('TRUNCATE product_events, shipping_addresses');
          const groupId = `${h.config.consumerGroupId}.${client}`;
          const startedAt = performance.now();
          const running = runScript(
            'src/apps/consumer/main.ts',
            [],
            {
              DATABASE_URL: h.databaseUrl,
              KAFKA_BROKERS: h.config.kafkaBrokers.join(','),
              KAFKA_TOPIC: h.config.topic,
              KAFKA_DLQ_TOPIC: h.config.dlqTopic,
              KAFKA_GROUP_ID: groupId,
              KAFKA_CLIENT: client,
              LOG_LEVEL: 'warn',
            },
            consumerNodeFlags,
          );
          consumer = running;

          await waitUntil(
            `group ${groupId} to commit every partition to its end`,
            async () => {
              expectRunning(running);
              const lag = await groupLag(h.kafka, groupId, h.config.topic);
              return lag.every((p) => p.committed === p.end);
            },
            drainTimeoutMs,
            500,
          ).catch(async (error: unknown) => {
            // Say how far it got: a consumer stuck at its first batch and a slow one differ.
            const lag = await groupLag(h.kafka, groupId, h.config.topic);
            const where = `rows ${await h.countRows()} of ${written.events.length}, committed/end ${lag
              .map((p) => `${p.committed}/${p.end}`)
              .join(' ')}, peak RSS ${Math.round(await peakRssMb(running).catch(() => NaN))} MB`;
            throw new Error(
              `${String(error)}; ${where}; output:\n${running.output().slice(-2000)}`,
              {
                cause: error,
              },
            );
          });
          const seconds = (performance.now() - startedAt) / 1000;
          expectRunning(running);
          const peak = await peakRssMb(running);
          expect(crashLines(running.output())).to.deep.equal([]);

          // Every event stored exactly, or dead-lettered by this consumer with a code; no other row.
          const rows = await readRows(h.db);
          const letters = (await readDeadLetterOutcomes(h.kafka, h.config.dlqTopic)).filter(
            (letter) => letter.group === groupId,
          );
          const lettered = new Map(letters.map((letter) => [letter.eventId, letter.code]));
          const lost = written.events
            .filter((event) => !rows.has(event.eventId) && !lettered.has(event.eventId))
            .map((event) => event.eventId);
          expect(lost, 'events neither stored nor dead-lettered').to.deep.equal([]);
          expect(letters.filter((letter) => letter.code === '')).to.deep.equal([]);
          const ids = new Set(written.events.map((event) => event.eventId));
          expect([...rows.keys()].filter((id) => !ids.has(id))).to.deep.equal([]);
          for (const event of written.events) {
            const row = rows.get(event.eventId);
            if (row !== undefined) expect(row, event.eventId).to.deep.equal(expectedRow(event));
          }

          figures.push({
            scenario: scenario.title,
            client,
            events: written.events.length,
            decodedMB: Math.round(written.decodedBytes / 1e6),
            brokerKB: Math.round(
              Object.values(produced.logBytes ?? {}).reduce((a, b) => a + b, 0) / 1e3,
            ),
            peakRssMb: Math.round(peak),
            seconds: Math.round(seconds),
          });
          expect(peak, 'peak RSS (VmHWM) in MB').to.be.below(peakRssBoundMb);

          running.child.kill('SIGTERM');
          expect(await running.exited, running.output().slice(-2000)).to.equal(0);
        });
      }
    });
  }
});
