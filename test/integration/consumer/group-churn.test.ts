// What a heartbeat really throws when the group rebalances under a batch in hand (as it does while
// the consumer retries an outage or isolates bad rows), through the port on the client KAFKA_CLIENT
// picks, against the real broker: the service must call it group churn (abandon the batch,
// rejoin), never fatal. A hand-made look-alike once let a test pass while real rebalances stopped
// consumers.
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { classifyError } from '../../../src/domain/errors/classify-error.ts';
import type { BatchControl, GroupConsumer, PartitionBatch } from '../../../src/messaging/port.ts';
import { handlingOnly, portUnderTest, type PortUnderTest } from '../../support/port-under-test.ts';
import { waitUntil } from '../../support/wait-until.ts';

describe('a heartbeat while the group rebalances', function () {
  this.timeout(90_000);
  let port: PortUnderTest;
  let topic: string;
  const members: GroupConsumer[] = [];

  before(async () => {
    port = await portUnderTest();
    // One message per partition: whichever partition the first member holds on to has one.
    topic = await port.topic('it-churn', 2, [
      { value: 'a', partition: 0 },
      { value: 'b', partition: 1 },
    ]);
  });
  after(async () => {
    for (const member of members) await member.stop().catch(() => undefined);
    await port.close();
  });

  const member = async (
    handle: (batch: PartitionBatch, control: BatchControl) => Promise<void>,
  ) => {
    members.push(await port.messaging.consume(handlingOnly(topic, handle)));
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

    expect(classifyError(thrown, [port.messaging.failureKind]), String(thrown)).to.equal(
      'group-churn',
    );
  });
});
