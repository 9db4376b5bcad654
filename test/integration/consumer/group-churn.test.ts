// What a heartbeat really throws when the group rebalances under a batch in hand (as it does while
// the consumer retries an outage or isolates bad rows), through the port on the client KAFKA_CLIENT
// picks, against the real broker: the service must call it group churn (abandon the batch,
// rejoin), never fatal. A hand-made look-alike once let a test pass while real rebalances stopped
// consumers.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Kafka } from 'kafkajs';
import { createMessaging } from '../../../src/adapters/create-messaging.ts';
import { createKafka } from '../../../src/adapters/kafkajs/kafka-client.ts';
import { classifyError } from '../../../src/domain/errors/classify-error.ts';
import type {
  BatchControl,
  GroupConsumer,
  Messaging,
  PartitionBatch,
} from '../../../src/messaging/port.ts';
import { readConfig } from '../../../src/runtime/config.ts';
import { testLogger } from '../../support/pipeline-harness.ts';
import { testServices } from '../../support/services.ts';
import { waitUntil } from '../../support/wait-until.ts';

describe('a heartbeat while the group rebalances', function () {
  this.timeout(90_000);
  let kafka: Kafka;
  let messaging: Messaging;
  const topic = `it-churn-${randomBytes(5).toString('hex')}`;
  const members: GroupConsumer[] = [];

  before(async () => {
    const { kafkaBrokers } = await testServices();
    kafka = createKafka({ kafkaBrokers, kafkaClientId: topic }, testLogger);
    messaging = createMessaging(
      readConfig({
        KAFKA_BROKERS: kafkaBrokers.join(','),
        KAFKA_CLIENT: process.env['KAFKA_CLIENT'],
      }),
      testLogger,
    );
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    // One message per partition: whichever partition the first member holds on to has one.
    await producer.send({
      topic,
      messages: [
        { value: 'a', partition: 0 },
        { value: 'b', partition: 1 },
      ],
    });
    await producer.disconnect();
  });
  after(async () => {
    for (const member of members) await member.stop().catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  const member = async (
    handle: (batch: PartitionBatch, control: BatchControl) => Promise<void>,
  ) => {
    members.push(
      await messaging.consume({
        topic,
        groupId: topic,
        sessionTimeoutMs: 10_000,
        partitionsConsumedConcurrently: 2,
        fromBeginning: true,
        restartOnFailure: () => true,
        onJoined: () => undefined,
        onLeft: () => undefined,
        onCrash: () => undefined,
        handle,
      }),
    );
  };

  it('throws an error the service classifies as group churn', async () => {
    let held: PartitionBatch | undefined;
    let thrown: unknown;
    // The first member holds its first batch, heartbeating as the retry loop does, until one fails.
    await member(async (batch, control) => {
      if (held !== undefined) return;
      held = batch;
      for (let waited = 0; waited < 60_000; waited += 300) {
        await sleep(300);
        try {
          await control.heartbeat();
        } catch (error) {
          thrown = error;
          throw error; // as run-consumer does: the client rejoins
        }
      }
    });
    await waitUntil('the first member to hold a batch', () => Promise.resolve(held !== undefined));
    await member(() => Promise.resolve()); // joining makes the group rebalance
    await waitUntil('a heartbeat to fail', () => Promise.resolve(thrown !== undefined), 60_000);

    expect(classifyError(thrown), String(thrown)).to.equal('group-churn');
  });
});
