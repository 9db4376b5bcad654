// The port's producer on @platformatic/kafka, made like the kafkajs one: idempotent, every send
// acknowledged by all in-sync replicas, keys partitioned as the Java client does, requests of
// bounded size (messaging/chunk-by-size.ts) sent one by one.
import {
  compatibilityPartitioner,
  ProduceAcks,
  Producer as KafkaProducer,
} from '@platformatic/kafka';
import { chunkBySize } from '../../messaging/chunk-by-size.ts';
import {
  MessageTooLargeError,
  tooLargeErrorNames,
} from '../../messaging/message-too-large-error.ts';
import type { OutboundMessage } from '../../messaging/message.ts';
import type { Producer } from '../../messaging/port.ts';
import type { KafkaCompression } from '../../runtime/config.ts';
import type { ClientOptions } from './client-options.ts';

const toBuffer = (part: Buffer | string | null): Buffer | undefined =>
  part === null ? undefined : typeof part === 'string' ? Buffer.from(part) : part;

/** Header names as Buffers, one Map entry per value: a name repeated in the original message is
 * repeated in the copy (the client writes a Map's entries, and two Buffers are two keys). */
function toHeaders(headers: OutboundMessage['headers']): Map<Buffer, Buffer> {
  const entries = new Map<Buffer, Buffer>();
  for (const [name, value] of Object.entries(headers ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    for (const one of values) {
      if (one !== undefined) entries.set(Buffer.from(name), toBuffer(one) ?? Buffer.alloc(0));
    }
  }
  return entries;
}

/** The broker's error comes inside the client's MultipleErrors (AggregateErrors), by `apiId`. */
function isTooLarge(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  const { apiId } = error as { apiId?: unknown };
  if (typeof apiId === 'string' && tooLargeErrorNames.has(apiId)) return true;
  return error instanceof AggregateError && error.errors.some((one) => isTooLarge(one, depth + 1));
}

export function portProducer(
  client: ClientOptions,
  compression: KafkaCompression = 'none',
): Producer {
  let roundRobin = 0;
  const producer = new KafkaProducer({
    ...client,
    idempotent: true,
    acks: ProduceAcks.ALL,
    autocreateTopics: false,
    // KAFKA_COMPRESSION, written by the client's own codecs.
    compression,
    // A key lands where the Java client (and kafkajs's default) puts it; keyless messages are
    // spread round-robin, as kafkajs does.
    partitioner: (message, key) =>
      key === undefined ? roundRobin++ : compatibilityPartitioner(message, key),
  });
  return {
    // The client connects on first use; a broker that cannot be reached fails the first send.
    connect: () => Promise.resolve(),
    disconnect: () => producer.close(),
    async send(topic, messages) {
      const deliveries = [];
      for (const chunk of chunkBySize(messages)) {
        const { offsets = [] } = await producer
          .send({
            messages: chunk.map(({ key, value, headers }) => ({
              topic,
              key: toBuffer(key),
              value: toBuffer(value),
              headers: toHeaders(headers),
            })),
          })
          .catch((error: unknown) => {
            throw isTooLarge(error) ? new MessageTooLargeError(topic, { cause: error }) : error;
          });
        deliveries.push(
          ...offsets.map(({ partition, offset }) => ({ partition, offset: String(offset) })),
        );
      }
      return deliveries;
    },
  };
}
