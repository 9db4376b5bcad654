// Events as Kafka's Java client writes them, one record batch per codec (none, gzip, snappy, lz4,
// zstd): the consumer stores each, `npm run replay` reads each back, and `npm run dlq:redrive`
// reads dead letters written with each. A codec the client cannot read would stop the consumer,
// and leave replay or redrive waiting for ever: those runs are bounded and fail then.
import { expect } from 'chai';
import { generateNewEvent } from '../../../src/apps/producer/generate-event.ts';
import type { ProductPurchasedV2 } from '../../../src/domain/schemas/types.ts';
import { deadLetterHeaders } from '../../../src/pipeline/to-dead-letter.ts';
import { exitWithin } from '../../support/consumer-process.ts';
import {
  runJavaProducer,
  type JavaCompression,
  type JavaStep,
} from '../../support/java-producer/java-producer.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';
import { runScript } from '../../support/run-script.ts';
import { expectedRow, readRows } from '../../support/stored-rows.ts';

const codecs: readonly JavaCompression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
/** Replay and redrive of five events end in seconds; one that waits this long never ends. */
const commandTimeoutMs = 60_000;

describe('events written by the Java client with every codec', function () {
  this.timeout(120_000);
  let harness: PipelineHarness;
  const events = new Map<JavaCompression, ProductPurchasedV2>();
  const letters = new Map<JavaCompression, ProductPurchasedV2>();
  let writtenFrom: string;

  before(async () => {
    harness = await createPipelineHarness({ partitions: 3 });
    writtenFrom = new Date(Date.now() - 1_000).toISOString();
    // One producer per codec; each sends one event to the topic and one dead letter to the DLQ
    // (a letter's value is the original event), each its own record batch with that codec.
    const steps: JavaStep[] = codecs.flatMap((codec, producer): JavaStep[] => {
      const event = generateNewEvent();
      const letter = generateNewEvent();
      events.set(codec, event);
      letters.set(codec, letter);
      return [
        {
          producer,
          op: 'send',
          records: [{ key: event.userId, value: JSON.stringify(event), partition: producer % 3 }],
        },
        {
          producer,
          op: 'send',
          records: [
            {
              topic: harness.config.dlqTopic,
              key: letter.userId,
              value: JSON.stringify(letter),
              headers: {
                [deadLetterHeaders.code]: 'EVENT_REJECTED_BY_DATABASE',
                [deadLetterHeaders.reason]: 'as it was then',
                [deadLetterHeaders.topic]: harness.config.topic,
                [deadLetterHeaders.partition]: String(producer % 3),
                [deadLetterHeaders.offset]: String(100 + producer),
              },
            },
          ],
        },
        { producer, op: 'flush' },
      ];
    });
    const result = await runJavaProducer({
      bootstrapServers: harness.config.kafkaBrokers.join(','),
      topic: harness.config.topic,
      producers: codecs.map((compressionType) => ({ compressionType })),
      steps,
    });
    expect(result.sent).to.equal(2 * codecs.length);
  });
  beforeEach(async () => {
    await harness.db.raw('TRUNCATE product_events, shipping_addresses');
  });
  after(async () => {
    await harness?.close();
  });

  async function expectStored(stored: ReadonlyMap<JavaCompression, ProductPurchasedV2>) {
    const rows = await readRows(harness.db);
    const byCodec = Object.fromEntries(
      [...stored].map(([codec, event]) => [codec, rows.get(event.eventId)]),
    );
    expect(byCodec).to.deep.equal(
      Object.fromEntries([...stored].map(([codec, event]) => [codec, expectedRow(event)])),
    );
    expect(rows.size).to.equal(stored.size);
  }

  /** Runs a command to its end; fails with its output when it exits non-zero or never ends. */
  async function runToEnd(script: string, args: string[]): Promise<string> {
    const run = runScript(script, args, {
      DATABASE_URL: harness.databaseUrl,
      KAFKA_BROKERS: harness.config.kafkaBrokers.join(','),
      KAFKA_TOPIC: harness.config.topic,
      KAFKA_DLQ_TOPIC: harness.config.dlqTopic,
      KAFKA_GROUP_ID: harness.config.consumerGroupId,
    });
    const code = await exitWithin(run, commandTimeoutMs);
    if (code === 'still running') {
      run.child.kill('SIGKILL');
      await run.exited;
    }
    expect(code, `${script} ${args.join(' ')}:\n${run.output().slice(-3000)}`).to.equal(0);
    return run.output();
  }

  it('the consumer stores each, exactly', async () => {
    await harness.startConsumer();
    await harness.waitForRows(codecs.length);
    await harness.stopConsumers();

    await expectStored(events);
    expect(await harness.deadLetterCount()).to.equal(codecs.length); // only the Java client's
  });

  it('npm run replay reads each back', async () => {
    const output = await runToEnd('src/apps/replay/main.ts', ['--from', writtenFrom]);

    expect(output).to.include('replay done');
    await expectStored(events);
  });

  it('npm run dlq:redrive reads the dead letters written with each', async () => {
    const output = await runToEnd('src/apps/redrive/main.ts', []);

    const report = output.split('\n').find((line) => line.startsWith('{"letters"'));
    expect(JSON.parse(report ?? '{}')).to.deep.include({
      letters: codecs.length,
      stored: codecs.length,
    });
    await expectStored(letters);
  });
});
