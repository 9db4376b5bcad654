// Scaling out: several consumer processes in one group share a multi-partition topic; when one is
// killed mid-stream its partitions pass to the others, and every event is still stored exactly once.
import { expect } from 'chai';
import { createPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';
import { runScript, type RunningScript } from '../support/run-script.ts';
import { waitUntil } from '../support/wait-until.ts';
import {
  deliveryFigures,
  deliveryOf,
  expectEveryEventStoredOnce,
} from './support/delivery-report.ts';
import { startEventStream } from './support/event-stream.ts';
import { memberAssignments } from './support/group-members.ts';

describe('three consumer processes in one group', function () {
  this.timeout(300_000);
  let harness: PipelineHarness;
  const consumers: RunningScript[] = [];

  before(async () => {
    harness = await createPipelineHarness({ partitions: 6 });
  });
  after(async () => {
    for (const consumer of consumers) consumer.child.kill('SIGKILL');
    await harness.close();
  });

  const startConsumer = () => {
    const consumer = runScript('src/apps/consumer/main.ts', [], {
      DATABASE_URL: harness.databaseUrl,
      KAFKA_BROKERS: harness.config.kafkaBrokers.join(','),
      KAFKA_TOPIC: harness.config.topic,
      KAFKA_DLQ_TOPIC: harness.config.dlqTopic,
      KAFKA_GROUP_ID: harness.config.consumerGroupId,
      CONSUMER_SESSION_TIMEOUT_MS: '6000', // hand a dead member's partitions on within seconds
      LOG_LEVEL: 'warn',
    });
    consumers.push(consumer);
    return consumer;
  };

  it('share the partitions, and after one is killed the others take its partitions and store every event once', async () => {
    const [first, second, third] = [startConsumer(), startConsumer(), startConsumer()];
    const shared = await waitUntil('three members with two partitions each', async () => {
      const members = await memberAssignments(
        harness.kafka,
        harness.config.consumerGroupId,
        harness.config.topic,
      );
      return members.length === 3 && members.every((partitions) => partitions.length === 2)
        ? members
        : undefined;
    });
    expect(shared.flat().sort()).to.deep.equal([0, 1, 2, 3, 4, 5]);

    const stream = startEventStream({
      send: (messages) => harness.produce(messages),
      ratePerSecond: 1_000,
      minCount: 12_000,
    });
    await waitUntil('the stream to be under way', () => Promise.resolve(stream.sent() >= 3_000));
    const storedBeforeKill = await harness.countRows();
    second?.child.kill('SIGKILL');
    expect(await second?.exited).to.equal(null); // killed, not exited

    const takenOver = await waitUntil(
      'two members holding all six partitions',
      async () => {
        const members = await memberAssignments(
          harness.kafka,
          harness.config.consumerGroupId,
          harness.config.topic,
        );
        return members.length === 2 && members.flat().length === 6 ? members : undefined;
      },
      120_000,
      500,
    );
    expect(takenOver.flat().sort()).to.deep.equal([0, 1, 2, 3, 4, 5]);

    await stream.finished;
    // Ends once the group is at the topic's end, naming any event neither stored nor dead-lettered.
    await harness.expectNothingLost({
      sent: stream.ids,
      stillRunning: () => {
        for (const survivor of [first, third])
          if (survivor?.child.exitCode !== null)
            throw new Error(`a survivor exited: ${survivor?.output().slice(-4000)}`);
      },
    });
    const delivery = await deliveryOf(harness, stream);
    console.log(
      JSON.stringify({
        scenario: 'scale-out: 3 processes, 1 killed',
        storedBeforeKill,
        ...deliveryFigures(delivery),
      }),
    );
    expect(storedBeforeKill).to.be.above(0).and.below(delivery.produced);
    expectEveryEventStoredOnce(delivery);

    for (const consumer of [first, third]) {
      consumer?.child.kill('SIGTERM');
      expect(await consumer?.exited, consumer?.output()).to.equal(0);
    }
  });
});
