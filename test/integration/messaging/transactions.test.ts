// Only committed records reach the handler, on the client KAFKA_CLIENT picks (the suite runs on
// each): aborted transactions interleaved with committed ones, from one transactional producer and
// from two, and an aborted transaction larger than one fetch. @platformatic/kafka 2.12.1's own
// filter delivers a producer's earlier aborted transaction of the same fetch, and an aborted
// transaction whose abort marker is in a later fetch (docs/workarounds.md).
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Kafka, Message, Producer } from 'kafkajs';
import { createKafka } from '../../../src/adapters/kafkajs/kafka-client.ts';
import { readConfig } from '../../../src/runtime/config.ts';
import { testLogger } from '../../support/pipeline-harness.ts';
import { handlingOnly, portUnderTest, type PortUnderTest } from '../../support/port-under-test.ts';
import { testServices } from '../../support/services.ts';
import { waitUntil } from '../../support/wait-until.ts';
import type { GroupConsumer } from '../../../src/messaging/port.ts';

describe('transactions through the port', function () {
  this.timeout(180_000);
  let port: PortUnderTest;
  let kafka: Kafka;
  const producers: Producer[] = [];
  const members: GroupConsumer[] = [];

  before(async () => {
    port = await portUnderTest();
    const { kafkaBrokers } = await testServices();
    kafka = createKafka(readConfig({ KAFKA_BROKERS: kafkaBrokers.join(',') }), testLogger);
  });
  afterEach(async () => {
    for (const member of members.splice(0)) await member.stop();
    for (const producer of producers.splice(0)) await producer.disconnect();
  });
  after(() => port.close());

  const transactional = async () => {
    const producer = kafka.producer({
      transactionalId: `it-txn-${randomBytes(5).toString('hex')}`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    producers.push(producer);
    await producer.connect();
    return producer;
  };
  const values = (prefix: string, count: number, bytes = 0): Message[] =>
    Array.from({ length: count }, (_, index) => ({
      value: `${prefix}-${index}${bytes > 0 ? ' '.repeat(bytes) : ''}`,
    }));
  /** Every value handed over, in order, until the non-transactional `end` arrives. */
  const consumeUntilEnd = async (topic: string) => {
    const handed: string[] = [];
    members.push(
      await port.messaging.consume(
        handlingOnly(topic, async (batch, control) => {
          handed.push(...batch.messages.map(({ value }) => String(value).trimEnd()));
          await control.commit();
        }),
      ),
    );
    await waitUntil('the end marker handed over', () => Promise.resolve(handed.includes('end')));
    return handed;
  };

  it('hands over neither of two aborted transactions of one producer, and its committed copy', async () => {
    const topic = await port.topic('it-txn', 1);
    const producer = await transactional();
    for (const [name, outcome] of [
      ['committed-before', 'commit'],
      ['aborted-first', 'abort'],
      ['aborted-second', 'abort'],
      ['copy', 'commit'],
    ] as const) {
      const transaction = await producer.transaction();
      await transaction.send({ topic, messages: values(name, 3) });
      await (outcome === 'commit' ? transaction.commit() : transaction.abort());
    }
    await port.send(topic, [{ value: 'end' }]);
    expect(await consumeUntilEnd(topic)).to.deep.equal([
      ...['committed-before-0', 'committed-before-1', 'committed-before-2'],
      ...['copy-0', 'copy-1', 'copy-2'],
      'end',
    ]);
  });

  it('hands over only the committed transactions of two producers writing at once', async () => {
    const topic = await port.topic('it-txn', 1);
    const [first, second] = [await transactional(), await transactional()];
    const a1 = await first.transaction();
    const b1 = await second.transaction();
    await a1.send({ topic, messages: values('a-aborted', 2) });
    await b1.send({ topic, messages: values('b-committed', 2) });
    await a1.send({ topic, messages: values('a-aborted-more', 2) });
    await b1.commit();
    await a1.abort();
    const b2 = await second.transaction();
    const a2 = await first.transaction();
    await b2.send({ topic, messages: values('b-aborted', 2) });
    await a2.send({ topic, messages: values('a-committed', 2) });
    await b2.abort();
    await a2.commit();
    // A second abort of the first producer in the same fetch: 2.12.1 then forgets its first one.
    const a3 = await first.transaction();
    await a3.send({ topic, messages: values('a-aborted-last', 2) });
    await a3.abort();
    await port.send(topic, [{ value: 'end' }]);
    expect(await consumeUntilEnd(topic)).to.deep.equal([
      ...['b-committed-0', 'b-committed-1', 'a-committed-0', 'a-committed-1'],
      'end',
    ]);
  });

  it('hands over nothing of an aborted transaction larger than one fetch', async () => {
    const topic = await port.topic('it-txn', 1);
    const producer = await transactional();
    // 6 000 messages of 1 KiB: 6 MiB, more than either client fetches of a partition at once.
    const aborted = await producer.transaction();
    for (let part = 0; part < 6; part++)
      await aborted.send({ topic, messages: values(`aborted-${part}`, 1_000, 1_024) });
    await aborted.abort();
    const committed = await producer.transaction();
    await committed.send({ topic, messages: values('committed', 3) });
    await committed.commit();
    await port.send(topic, [{ value: 'end' }]);
    expect(await consumeUntilEnd(topic)).to.deep.equal([
      ...['committed-0', 'committed-1', 'committed-2'],
      'end',
    ]);
  });
});
