// Record batches as producers write them, through the port with the client KAFKA_CLIENT picks (the
// suite runs on each): every codec Kafka defines comes back exactly, whichever of the service's
// producers compressed it (kafkajs's, and the one of the client under test).
import { createRequire } from 'node:module';
import { compressionsAlgorithms } from '@platformatic/kafka';
import { expect } from 'chai';
import type * as Kafkajs from 'kafkajs';
import { createMessaging } from '../../../src/adapters/create-messaging.ts';
import { kafkajsCompression } from '../../../src/adapters/kafkajs/bounded-fetch-decoding.ts';
import { createKafka } from '../../../src/adapters/kafkajs/kafka-client.ts';
import { portProducer } from '../../../src/adapters/kafkajs/producer.ts';
import type { CodecName } from '../../../src/messaging/compression/codecs.ts';
import type { InboundMessage, OutboundMessage } from '../../../src/messaging/message.ts';
import type { GroupConsumer } from '../../../src/messaging/port.ts';
import { readConfig } from '../../../src/runtime/config.ts';
import { testLogger } from '../../support/pipeline-harness.ts';
import { handlingOnly, portUnderTest, type PortUnderTest } from '../../support/port-under-test.ts';
import { testServices } from '../../support/services.ts';
import { waitUntil } from '../../support/wait-until.ts';

const require = createRequire(import.meta.url);
const { CompressionCodecs } = require('kafkajs') as typeof Kafkajs;
const client = process.env['KAFKA_CLIENT'] ?? 'kafkajs';

/** Counts the batches the client under test decompresses with `codec`, until the returned undo. */
function countDecompressions(codec: CodecName): { count: () => number; undo: () => void } {
  let count = 0;
  if (client === 'platformatic') {
    const algorithm = compressionsAlgorithms[codec] as { decompressSync: (data: Buffer) => Buffer };
    const original = algorithm.decompressSync;
    algorithm.decompressSync = (data) => {
      count += 1;
      return original(data);
    };
    return { count: () => count, undo: () => (algorithm.decompressSync = original) };
  }
  const registry = CompressionCodecs as Record<number, () => { decompress(b: Buffer): unknown }>;
  const type = kafkajsCompression[codec];
  const original = registry[type];
  if (original === undefined) throw new Error(`kafkajs has no ${codec} codec registered`);
  registry[type] = () => {
    const codecOf = original();
    return {
      ...codecOf,
      decompress: (buffer: Buffer) => {
        count += 1;
        return codecOf.decompress(buffer);
      },
    };
  };
  return { count: () => count, undo: () => (registry[type] = original) };
}

describe('compressed record batches through the port', function () {
  this.timeout(120_000);
  let port: PortUnderTest;
  const members: GroupConsumer[] = [];

  before(async () => {
    port = await portUnderTest();
  });
  afterEach(async () => {
    for (const member of members.splice(0)) await member.stop();
  });
  after(() => port.close());

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`gives back exactly what the producers wrote with ${codec}`, async () => {
      const topic = await port.topic(`it-${codec}`, 1);
      const { kafkaBrokers } = await testServices();
      const config = readConfig({
        KAFKA_BROKERS: kafkaBrokers.join(','),
        KAFKA_CLIENT: process.env['KAFKA_CLIENT'],
        KAFKA_COMPRESSION: codec,
      });
      const messaging = await createMessaging(config, testLogger);
      const sent: OutboundMessage[] = Array.from({ length: 40 }, (_, i) => ({
        key: `key-${i}`,
        value: Buffer.from(JSON.stringify({ i, text: `event ${i} `.repeat(50) })),
        headers: { header: `value ${i}`, repeated: ['one', 'two'] },
      }));
      // kafkajs's producer, then the one of the client under test (the same one on kafkajs).
      const producers = [
        portProducer(createKafka(config, testLogger), codec),
        messaging.createProducer(),
      ];
      for (const [i, producer] of producers.entries()) {
        await producer.connect();
        await producer.send(topic, sent.slice(i * 20, i * 20 + 20));
        await producer.disconnect();
      }

      const decompressions = countDecompressions(codec);
      const received: InboundMessage[] = [];
      try {
        members.push(
          await messaging.consume(
            handlingOnly(topic, async (batch, control) => {
              received.push(...batch.messages);
              await control.commit();
            }),
          ),
        );
        await waitUntil('every message', () => Promise.resolve(received.length >= sent.length));
      } finally {
        decompressions.undo();
      }
      expect(received.map(({ key, value }) => [key?.toString(), value?.toString()])).to.deep.equal(
        sent.map(({ key, value }) => [key, value?.toString()]),
      );
      expect(received.map(({ headers }) => String(headers?.['header']))).to.deep.equal(
        sent.map((_, i) => `value ${i}`),
      );
      // Both producers compressed: at least a batch of each was decompressed.
      expect(decompressions.count()).to.be.at.least(2);
    });
  }
});
