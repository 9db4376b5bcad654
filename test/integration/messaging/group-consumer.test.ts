// The port's group consumer on the client KAFKA_CLIENT picks (the suite runs on each), against the
// real broker: a batch the handler abandons (throws, or returns without committing) is handed over
// again, and nothing after it is committed before it is. The platformatic client's stream moves on
// past an abandoned batch by itself; without the adapter starting a new stream at the committed
// offset, the next batch's commit would pass over the abandoned messages for good. A batch the
// handler commits only in part (its write budget spent) is handed over again from the message after
// the part, on either client: kafkajs fetches it again, the platformatic adapter opens a new stream.
import { expect } from 'chai';
import type { GroupConsumer } from '../../../src/messaging/port.ts';
import { handlingOnly, portUnderTest, type PortUnderTest } from '../../support/port-under-test.ts';
import { waitUntil } from '../../support/wait-until.ts';

describe('the group consumer', function () {
  this.timeout(90_000);
  let port: PortUnderTest;
  const members: GroupConsumer[] = [];

  before(async () => {
    port = await portUnderTest();
  });
  afterEach(async () => {
    for (const member of members.splice(0)) await member.stop();
  });
  after(() => port.close());

  for (const abandon of ['throws a passing error', 'returns without committing'] as const) {
    it(`hands a batch over again when the handler ${abandon}, committing nothing past it`, async () => {
      const ten = Array.from({ length: 10 }, (_, index) => ({ value: String(index) }));
      const topic = await port.topic('it-group', 1, ten);
      const handed: number[] = [];
      let abandoned = false;
      members.push(
        await port.messaging.consume(
          handlingOnly(topic, async (batch, control) => {
            handed.push(...batch.messages.map(({ offset }) => Number(offset)));
            if (!abandoned) {
              abandoned = true;
              if (abandon === 'throws a passing error')
                throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
              return;
            }
            await control.commit();
          }),
        ),
      );
      await waitUntil(
        'every message committed',
        async () => (await port.committed(topic, topic)).get(0) === 10,
      );
      const firstDelivery = handed.indexOf(0);
      expect(firstDelivery, 'offset 0 handed over').to.equal(0);
      expect(handed.lastIndexOf(0), 'offset 0 handed over again').to.be.greaterThan(0);
      // Every offset reached the handler after its abandoned delivery, in order.
      const again = handed.slice(handed.lastIndexOf(0));
      expect(again).to.deep.equal(Array.from({ length: 10 }, (_, index) => index));
    });
  }

  it('tells a member its group rebalances, then joined again, when another member joins', async () => {
    const topic = await port.topic('it-rejoin', 2, [{ value: 'a' }]);
    const events: string[] = [];
    const commitAll = handlingOnly(topic, (_batch, control) => control.commit());
    members.push(
      await port.messaging.consume({
        ...commitAll,
        onRejoining: () => events.push('rejoining'),
        onJoined: (partitions) => events.push(`joined ${partitions.join(',')}`),
      }),
    );
    await waitUntil('the first join', () => Promise.resolve(events.includes('joined 0,1')));
    members.push(await port.messaging.consume(commitAll));
    await waitUntil('a rejoin with one partition', () =>
      Promise.resolve(events.some((event) => /^joined \d$/.test(event))),
    );
    const rejoined = events.findIndex((event) => /^joined \d$/.test(event));
    expect(events.slice(0, rejoined), 'told before the rejoin').to.include('rejoining');
  });

  it('hands the rest of a batch over again, from the message after the part the handler committed', async () => {
    const ten = Array.from({ length: 10 }, (_, index) => ({ value: String(index) }));
    const topic = await port.topic('it-group-part', 1, ten);
    const firstOffsets: number[] = [];
    members.push(
      await port.messaging.consume(
        handlingOnly(topic, async (batch, control) => {
          const [first] = batch.messages;
          if (first === undefined) return;
          firstOffsets.push(Number(first.offset));
          // Two messages at most a batch: the rest is for a later one.
          await control.commit(batch.messages[1]?.offset);
        }),
      ),
    );
    await waitUntil(
      'every message committed',
      async () => (await port.committed(topic, topic)).get(0) === 10,
    );
    expect(firstOffsets, 'where each batch began').to.deep.equal([0, 2, 4, 6, 8]);
  });
});
