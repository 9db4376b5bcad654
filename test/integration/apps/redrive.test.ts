// `npm run dlq:redrive` as an operator runs it once the cause of dead letters is fixed: what can be
// stored now is stored, what still fails stays dead-lettered with its new reason, and the counts
// say which was which.
import { expect } from 'chai';
import { deadLetterHeaders } from '../../../src/pipeline/to-dead-letter.ts';
import { createProducer } from '../../../src/adapters/kafkajs/producer.ts';
import { generateOldEvent } from '../../../src/apps/producer/generate-event.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';
import { runScript } from '../../support/run-script.ts';

describe('npm run dlq:redrive', function () {
  this.timeout(120_000);
  let harness: PipelineHarness;

  beforeEach(async () => {
    harness = await createPipelineHarness({ partitions: 1 });
  });
  afterEach(async () => {
    await harness.close();
  });

  async function redrive(args: string[]) {
    const run = runScript('src/apps/redrive/main.ts', args, {
      DATABASE_URL: harness.databaseUrl,
      KAFKA_BROKERS: harness.config.kafkaBrokers.join(','),
      KAFKA_TOPIC: harness.config.topic,
      KAFKA_DLQ_TOPIC: harness.config.dlqTopic,
      KAFKA_GROUP_ID: harness.config.consumerGroupId,
    });
    expect(await run.exited, run.output()).to.equal(0);
    const report = run
      .output()
      .split('\n')
      .find((line) => line.startsWith('{"letters"'));
    return JSON.parse(report ?? '{}') as Record<string, unknown>;
  }

  it('stores what passes now, dead-letters again what still fails, and keeps letters of other codes', async () => {
    const letter = (value: unknown, code: string, offset: number) => ({
      key: 'user_1',
      value: JSON.stringify(value),
      headers: {
        'trace-id': `t${offset}`,
        [deadLetterHeaders.code]: code,
        [deadLetterHeaders.reason]: 'as it was then',
        [deadLetterHeaders.topic]: harness.config.topic,
        [deadLetterHeaders.partition]: '0',
        [deadLetterHeaders.offset]: String(offset),
      },
    });
    // Letters from a time when the schema or the database refused them; some are fine today.
    const fixedNow = [generateOldEvent(), generateOldEvent(), generateOldEvent()];
    const stillBad = [
      { ...generateOldEvent(), currency: 'US' },
      { ...generateOldEvent(), currency: 'US' },
    ];
    const otherCode = [generateOldEvent(), generateOldEvent()];
    const producer = createProducer(harness.kafka);
    await producer.connect();
    await producer.send({
      topic: harness.config.dlqTopic,
      messages: [
        ...fixedNow.map((event, i) => letter(event, 'EVENT_SCHEMA_VIOLATION', 10 + i)),
        ...stillBad.map((event, i) => letter(event, 'EVENT_SCHEMA_VIOLATION', 20 + i)),
        ...otherCode.map((event, i) => letter(event, 'EVENT_REJECTED_BY_DATABASE', 30 + i)),
      ],
    });
    await producer.disconnect();

    const first = await redrive(['--code', 'EVENT_SCHEMA_VIOLATION']);
    expect(first).to.deep.equal({
      letters: 7,
      stored: 3,
      alreadyStoredInBatch: 0,
      stillDeadLettered: { EVENT_SCHEMA_VIOLATION: 2 },
      keptUnchanged: 2,
    });
    expect(await harness.countRows()).to.equal(3);

    const letters = await harness.readDeadLetters(11);
    const again = letters
      .slice(7)
      .filter((m) => m.headers?.[deadLetterHeaders.reason]?.toString() !== 'as it was then');
    expect(again).to.have.length(2);
    for (const [i, message] of again.entries()) {
      const header = (name: string) => message.headers?.[name]?.toString();
      expect(header(deadLetterHeaders.code)).to.equal('EVENT_SCHEMA_VIOLATION');
      expect(header(deadLetterHeaders.reason)).to.equal(
        '/currency must match pattern "^[A-Z]{3}$"',
      );
      expect(header(deadLetterHeaders.offset)).to.equal(String(20 + i)); // still names where it came from
      expect(header('trace-id')).to.equal(`t${20 + i}`);
    }

    const second = await redrive([]);
    expect(second).to.deep.equal({
      letters: 4,
      stored: 2,
      alreadyStoredInBatch: 0,
      stillDeadLettered: { EVENT_SCHEMA_VIOLATION: 2 },
      keptUnchanged: 0,
    });
    expect(await harness.countRows()).to.equal(5);
  });

  it('refuses an error code it does not know, listing the ones it does', async () => {
    const run = runScript('src/apps/redrive/main.ts', ['--code', 'NOPE'], {});
    expect(await run.exited).to.equal(2);
    expect(run.output()).to.match(
      /--code must be one of EVENT_MALFORMED, .*\nusage: npm run dlq:redrive/,
    );
  });
});
