// What a heartbeat really throws when the group rebalances under a batch in hand (as it does while
// the consumer retries an outage or isolates bad rows), read from the real broker: the service
// must call it group churn (abandon the batch, rejoin), never fatal. A hand-made look-alike once
// let a test pass while real rebalances stopped consumers.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Consumer, Kafka } from 'kafkajs';
import { classifyError } from '../../../src/domain/errors/classify-error.ts';
import { createKafka } from '../../../src/adapters/kafkajs/kafka-client.ts';
import { testLogger } from '../../support/pipeline-harness.ts';
import { testServices } from '../../support/services.ts';
import { waitUntil } from '../../support/wait-until.ts';

describe('a heartbeat while the group rebalances', function () {
  this.timeout(90_000);
  let kafka: Kafka;
  const topic = `it-churn-${randomBytes(5).toString('hex')}`;
  const consumers: Consumer[] = [];

  before(async () => {
    const { kafkaBrokers } = await testServices();
    kafka = createKafka({ kafkaBrokers, kafkaClientId: topic }, testLogger);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }] });
    await producer.disconnect();
  });
  after(async () => {
    for (const consumer of consumers) await consumer.disconnect().catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  const member = async (onBatch: (heartbeat: () => Promise<void>) => Promise<void>) => {
    const consumer = kafka.consumer({ groupId: topic, sessionTimeout: 10_000 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachBatch: (payload) => onBatch(() => payload.heartbeat()) });
  };

  it('throws an error the service classifies as group churn', async () => {
    let inBatch = false;
    let thrown: unknown;
    // The first member holds its batch, heartbeating as the retry loop does, until one fails.
    await member(async (heartbeat) => {
      if (thrown !== undefined) return;
      inBatch = true;
      for (let waited = 0; waited < 60_000; waited += 300) {
        await sleep(300);
        try {
          await heartbeat();
        } catch (error) {
          thrown = error;
          throw error; // as run-consumer does: kafkajs rejoins
        }
      }
    });
    await waitUntil('the first member to hold a batch', () => Promise.resolve(inBatch));
    await member(() => Promise.resolve()); // joining makes the group rebalance
    await waitUntil('a heartbeat to fail', () => Promise.resolve(thrown !== undefined), 60_000);

    const error = thrown as Error & { type?: string; retriable?: boolean };
    expect(error.name).to.equal('KafkaJSProtocolError');
    expect(error.type).to.equal('REBALANCE_IN_PROGRESS');
    expect(error.retriable, 'kafkajs marks it').to.equal(false);
    expect(classifyError(error)).to.equal('group-churn');
  });
});
