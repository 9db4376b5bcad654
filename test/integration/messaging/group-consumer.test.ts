// The port's group consumer on the client KAFKA_CLIENT picks (the suite runs on each), against the
// real broker: a batch the handler abandons (throws, or returns without committing) is handed over
// again, and nothing after it is committed before it is. The platformatic client's stream moves on
// past an abandoned batch by itself; without the adapter starting a new stream at the committed
// offset, the next batch's commit would pass over the abandoned messages for good.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Kafka } from 'kafkajs';
import { createMessaging } from '../../../src/adapters/create-messaging.ts';
import { createKafka } from '../../../src/adapters/kafkajs/kafka-client.ts';
import type { GroupConsumer, Messaging } from '../../../src/messaging/port.ts';
import { readConfig } from '../../../src/runtime/config.ts';
import { testLogger } from '../../support/pipeline-harness.ts';
import { testServices } from '../../support/services.ts';
import { waitUntil } from '../../support/wait-until.ts';

describe('the group consumer', function () {
  this.timeout(90_000);
  let kafka: Kafka;
  let messaging: Messaging;
  const topics: string[] = [];
  const members: GroupConsumer[] = [];

  before(async () => {
    const { kafkaBrokers } = await testServices();
    kafka = createKafka({ kafkaBrokers, kafkaClientId: 'it-group-consumer' }, testLogger);
    messaging = createMessaging(
      readConfig({
        KAFKA_BROKERS: kafkaBrokers.join(','),
        KAFKA_CLIENT: process.env['KAFKA_CLIENT'],
      }),
      testLogger,
    );
  });
  afterEach(async () => {
    for (const member of members.splice(0)) await member.stop();
  });
  after(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  const topicWith = async (count: number) => {
    const topic = `it-group-${randomBytes(5).toString('hex')}`;
    topics.push(topic);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const messages = Array.from({ length: count }, (_, index) => ({ value: String(index) }));
    await producer.send({ topic, acks: -1, messages });
    await producer.disconnect();
    return topic;
  };
  const committed = async (topic: string) => {
    const admin = kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId: topic, topics: [topic] });
    await admin.disconnect();
    return Number(offsets?.partitions[0]?.offset);
  };

  for (const abandon of ['throws a passing error', 'returns without committing'] as const) {
    it(`hands a batch over again when the handler ${abandon}, committing nothing past it`, async () => {
      const topic = await topicWith(10);
      const handed: number[] = [];
      let abandoned = false;
      members.push(
        await messaging.consume({
          topic,
          groupId: topic,
          sessionTimeoutMs: 10_000,
          partitionsConsumedConcurrently: 1,
          fromBeginning: true,
          restartOnFailure: () => true,
          onJoined: () => undefined,
          onLeft: () => undefined,
          onCrash: () => undefined,
          handle: async (batch, control) => {
            handed.push(...batch.messages.map(({ offset }) => Number(offset)));
            if (!abandoned) {
              abandoned = true;
              if (abandon === 'throws a passing error')
                throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
              return;
            }
            await control.commit();
          },
        }),
      );
      await waitUntil('every message committed', async () => (await committed(topic)) === 10);
      const firstDelivery = handed.indexOf(0);
      expect(firstDelivery, 'offset 0 handed over').to.equal(0);
      expect(handed.lastIndexOf(0), 'offset 0 handed over again').to.be.greaterThan(0);
      // Every offset reached the handler after its abandoned delivery, in order.
      const again = handed.slice(handed.lastIndexOf(0));
      expect(again).to.deep.equal(Array.from({ length: 10 }, (_, index) => index));
    });
  }
});
