// A record batch the client cannot read (here: a gzip batch decompressing past a low
// KAFKA_MAX_DECOMPRESSED_BATCH_BYTES) stops its own partition only, through the port on kafkajs:
// the messages before it are handed over and committed, the batch comes as `unreadable`, and the
// other partitions keep flowing. A range read over it handles what comes before, then rejects.
// (@platformatic/kafka isolates such a batch in its own adapter: its tests are its own.)
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Message } from 'kafkajs';
import { createMessaging } from '../../../src/adapters/create-messaging.ts';
import { kafkajsCompression } from '../../../src/adapters/kafkajs/bounded-fetch-decoding.ts';
import { createKafka } from '../../../src/adapters/kafkajs/kafka-client.ts';
import type { GroupConsumer, Messaging, UnreadableBatch } from '../../../src/messaging/port.ts';
import { UnreadableBatchError } from '../../../src/messaging/unreadable-batch-error.ts';
import { readConfig } from '../../../src/runtime/config.ts';
import { testLogger } from '../../support/pipeline-harness.ts';
import { handlingOnly, portUnderTest, type PortUnderTest } from '../../support/port-under-test.ts';
import { testServices } from '../../support/services.ts';
import { waitUntil } from '../../support/wait-until.ts';

const cap = 64 * 1024;

if ((process.env['KAFKA_CLIENT'] ?? 'kafkajs') === 'kafkajs') {
  describe('an unreadable record batch on kafkajs', function () {
    this.timeout(120_000);
    let port: PortUnderTest;
    let messaging: Messaging;
    let member: GroupConsumer | undefined;
    /** The bomb: one message of 256 KiB of zeros, a few hundred bytes once gzipped. */
    let sendBomb: (topic: string) => Promise<void>;

    before(async () => {
      port = await portUnderTest();
      const { kafkaBrokers } = await testServices();
      const config = readConfig({
        KAFKA_BROKERS: kafkaBrokers.join(','),
        KAFKA_MAX_DECOMPRESSED_BATCH_BYTES: String(cap),
      });
      // Made last: the cap is process-wide on kafkajs.
      messaging = await createMessaging(config, testLogger);
      const kafka = createKafka(config, testLogger);
      sendBomb = async (topic) => {
        const producer = kafka.producer();
        await producer.connect();
        await producer.send({
          topic,
          acks: -1,
          compression: kafkajsCompression.gzip,
          messages: [{ partition: 0, value: Buffer.alloc(4 * cap) }],
        });
        await producer.disconnect();
      };
    });
    afterEach(async () => {
      await member?.stop();
      member = undefined;
    });
    after(() => port.close());

    const numbered = (partition: number, from: number, count: number): Message[] =>
      Array.from({ length: count }, (_, i) => ({ partition, value: `p${partition}-${from + i}` }));

    /** Partition 0: two messages, the bomb at offset 2, two more. Partition 1: five messages. */
    async function topicWithBomb(): Promise<string> {
      const topic = await port.topic('it-unreadable', 2, numbered(0, 0, 2));
      await sendBomb(topic);
      await port.send(topic, [...numbered(0, 3, 2), ...numbered(1, 0, 5)]);
      return topic;
    }

    it('stops its partition only, after the messages before it are handed over and committed', async () => {
      const topic = await topicWithBomb();
      const handled = new Map<number, string[]>([
        [0, []],
        [1, []],
      ]);
      const unreadable: UnreadableBatch[] = [];
      member = await messaging.consume(
        handlingOnly(topic, async (batch, control) => {
          handled.get(batch.partition)?.push(...batch.messages.map((m) => String(m.value)));
          if (batch.unreadable !== undefined) unreadable.push(batch.unreadable);
          await control.commit();
        }),
      );
      await waitUntil('the unreadable batch and partition 1', () =>
        Promise.resolve(unreadable.length === 1 && handled.get(1)?.length === 5),
      );
      // Partition 1 keeps flowing; what is sent to partition 0 now is not handed over.
      await port.send(topic, numbered(0, 5, 3));
      await port.send(topic, numbered(1, 5, 5));
      await waitUntil('partition 1 to flow on', () =>
        Promise.resolve(handled.get(1)?.length === 10),
      );
      await waitUntil('partition 1 committed', async () =>
        (await port.committed(topic, topic)).get(1) === 10 ? true : undefined,
      );

      expect(handled.get(0)).to.deep.equal(['p0-0', 'p0-1']);
      expect(unreadable).to.have.length(1); // paused: never fetched again
      expect(unreadable[0]?.offset).to.equal('2');
      expect(unreadable[0]?.reason).to.match(
        new RegExp(`^gzip: \\d+ bytes decompress to more than the ${cap} allowed$`),
      );
      expect((await port.committed(topic, topic)).get(0)).to.equal(2);
    });

    it('ends a range read over it: what comes before is handled, then it rejects', async () => {
      const topic = await topicWithBomb();
      const handled: string[] = [];
      const reader = await messaging.readRanges({
        topic,
        groupId: `it-unreadable-range-${randomBytes(4).toString('hex')}`,
        ranges: [
          { partition: 0, start: 0n, end: 5n },
          { partition: 1, start: 0n, end: 5n },
        ],
        handle: async (_partition, messages, control) => {
          handled.push(...messages.map((m) => String(m.value)));
          await control.commit();
        },
      });
      const error = await reader.finished.then(
        () => undefined,
        (rejected: unknown) => rejected,
      );
      await reader.stop();

      expect(error).to.be.instanceOf(UnreadableBatchError);
      expect(error).to.include({ topic, partition: 0, offset: '2' });
      expect(handled).to.include.members(['p0-0', 'p0-1']);
      expect(handled).not.to.include('p0-3');
    });
  });
}
