// One consumer group with a member on each Kafka client, as while KAFKA_CLIENT is switched one
// process at a time: both must agree on the group protocol (kafkajs's round-robin, by name), share
// the partitions, and between them commit every message. Without the shared protocol name, the
// second member's join is refused with INCONSISTENT_GROUP_PROTOCOL.
import { expect } from 'chai';
import { createMessaging } from '../../../src/adapters/create-messaging.ts';
import type { KafkaClient } from '../../../src/runtime/config.ts';
import type { GroupConsumer } from '../../../src/messaging/port.ts';
import { testLogger } from '../../support/pipeline-harness.ts';
import { handlingOnly, portUnderTest, type PortUnderTest } from '../../support/port-under-test.ts';
import { testServices } from '../../support/services.ts';
import { waitUntil } from '../../support/wait-until.ts';

describe('a consumer group with a member on each Kafka client', function () {
  this.timeout(90_000);
  let port: PortUnderTest;
  const members: GroupConsumer[] = [];

  before(async () => {
    port = await portUnderTest();
  });
  after(async () => {
    for (const member of members) await member.stop();
    await port.close();
  });

  it('shares the partitions, and the two commit every message', async () => {
    const topic = await port.topic('it-mixed', 4);
    const { kafkaBrokers } = await testServices();
    const joined = new Map<KafkaClient, readonly number[]>();
    const handled = new Map<KafkaClient, number>();
    for (const kafkaClient of ['kafkajs', 'platformatic'] as const) {
      const messaging = await createMessaging(
        { kafkaBrokers, kafkaClientId: `it-mixed-${kafkaClient}`, kafkaClient, kafkaSecurity: {} },
        testLogger,
      );
      members.push(
        await messaging.consume({
          ...handlingOnly(topic, async (batch, control) => {
            handled.set(kafkaClient, (handled.get(kafkaClient) ?? 0) + batch.messages.length);
            await control.commit();
          }),
          onJoined: (partitions) => joined.set(kafkaClient, partitions),
        }),
      );
      await waitUntil(`${kafkaClient} to join`, () => Promise.resolve(joined.has(kafkaClient)));
    }
    await waitUntil('the partitions shared', () =>
      Promise.resolve(
        joined.get('kafkajs')?.length === 2 && joined.get('platformatic')?.length === 2,
      ),
    );
    expect(
      [...(joined.get('kafkajs') ?? []), ...(joined.get('platformatic') ?? [])].sort(),
    ).to.deep.equal([0, 1, 2, 3]);

    const perPartition = 10;
    await port.send(
      topic,
      [0, 1, 2, 3].flatMap((partition) =>
        Array.from({ length: perPartition }, () => ({ value: 'x', partition })),
      ),
    );
    await waitUntil('every message committed', async () => {
      const committed = await port.committed(topic, topic);
      return [0, 1, 2, 3].every((partition) => committed.get(partition) === perPartition);
    });
    expect(handled.get('kafkajs'), 'kafkajs handled').to.equal(2 * perPartition);
    expect(handled.get('platformatic'), 'platformatic handled').to.equal(2 * perPartition);
  });
});
