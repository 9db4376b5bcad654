// A message sent through the port comes back through it as it was, on the client KAFKA_CLIENT
// picks (the suite runs on each): null and empty keys and values, binary bytes, header names
// repeated (a dead letter keeps its original's headers), and keyed messages on the partition the
// Java client would choose, so both clients and other producers agree where a key lives.
import { expect } from 'chai';
import type { InboundMessage, OutboundMessage } from '../../../src/messaging/message.ts';
import type { Delivery, GroupConsumer } from '../../../src/messaging/port.ts';
import { handlingOnly, portUnderTest, type PortUnderTest } from '../../support/port-under-test.ts';
import { waitUntil } from '../../support/wait-until.ts';

describe('a message through the port', function () {
  this.timeout(90_000);
  let port: PortUnderTest;
  let topic: string;
  let member: GroupConsumer | undefined;

  before(async () => {
    port = await portUnderTest();
    topic = await port.topic('it-round-trip', 3);
  });
  after(async () => {
    await member?.stop();
    await port.close();
  });

  it('comes back with the same key, value and headers, on the Java client’s partition', async () => {
    const binary = Buffer.from([0, 255, 1, 254, 0x80]);
    const sent: OutboundMessage[] = [
      { key: 'event-1', value: '{"a":1}', headers: { trace: 'x' } },
      { key: null, value: null },
      { key: Buffer.alloc(0), value: Buffer.alloc(0) },
      { key: binary, value: binary, headers: { 'x-error-code': ['A', 'B'], 'x-bin': binary } },
      { key: 'event-2', value: 'v', headers: { repeated: ['one', Buffer.from('two'), 'three'] } },
    ];
    const producer = port.messaging.createProducer();
    await producer.connect();
    // One at a time: a keyless message's partition is the client's choice, this keeps order known.
    const deliveries: Delivery[] = [];
    for (const message of sent) deliveries.push(...(await producer.send(topic, [message])));
    await producer.disconnect();

    const received = new Map<string, InboundMessage>(); // by partition:offset
    member = await port.messaging.consume(
      handlingOnly(topic, async (batch, control) => {
        for (const message of batch.messages)
          received.set(`${batch.partition}:${message.offset}`, message);
        await control.commit();
      }),
    );
    await waitUntil('every message back', () => Promise.resolve(received.size === sent.length));

    const bytes = (part: Buffer | string | null | undefined) =>
      part === null || part === undefined ? part : Buffer.from(part).toString('hex');
    const headerBytes = (headers: OutboundMessage['headers']) =>
      Object.fromEntries(
        Object.entries(headers ?? {}).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.map(bytes) : bytes(value),
        ]),
      );
    sent.forEach((message, index) => {
      const delivery = deliveries[index];
      const back = received.get(`${delivery?.partition}:${delivery?.offset}`);
      expect(back, `message ${index} at its delivery`).to.not.equal(undefined);
      expect(bytes(back?.key), `key of ${index}`).to.equal(bytes(message.key));
      expect(bytes(back?.value), `value of ${index}`).to.equal(bytes(message.value));
      expect(headerBytes(back?.headers), `headers of ${index}`).to.deep.equal(
        headerBytes(message.headers),
      );
    });
    // murmur2 of the key, positive, modulo 3: what Java's and kafkajs's default partitioners give.
    expect(deliveries[0]?.partition, 'partition of event-1').to.equal(javaPartition('event-1', 3));
    expect(deliveries[4]?.partition, 'partition of event-2').to.equal(javaPartition('event-2', 3));
  });
});

/** Kafka's murmur2 (the Java client's Utils.murmur2), as the partition a key gets. */
function javaPartition(key: string, partitions: number): number {
  const data = Buffer.from(key);
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ data.length) | 0;
  const whole = data.length - (data.length % 4);
  for (let i = 0; i < whole; i += 4) {
    let k = data.readInt32LE(i);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = data.length % 4;
  if (rest === 3) h ^= (data[whole + 2] ?? 0) << 16;
  if (rest >= 2) h ^= (data[whole + 1] ?? 0) << 8;
  if (rest >= 1) {
    h ^= data[whole] ?? 0;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return (h & 0x7fffffff) % partitions;
}
