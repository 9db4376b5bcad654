// What the bomb and burst tests write with Kafka's Java client: valid events padded to near 1 MiB
// (with whitespace, or with structure that is costly to decode), a dozen to a record batch (a few
// KB on the wire when compressed), then ordinary small events on every partition. The padding
// happens in Java; only the events' JSON crosses over.
import { generateNewEvent, generateOldEvent } from '../../../src/apps/producer/generate-event.ts';
import { consumerNodeFlags } from '../../../src/apps/consumer/node-flags.ts';
import type { ProductPurchasedV2 } from '../../../src/domain/schemas/types.ts';
import type {
  JavaProducerConfig,
  JavaProducerSpec,
  JavaRecord,
  JavaStep,
} from '../../support/java-producer/java-producer.ts';

/** Under EVENT_MAX_BYTES (1 MiB) and, with a record's overhead, under the broker's 1 MB batch limit. */
export const paddedEventBytes = 1_040_000;
export const eventsPerBatch = 12;
/** Small events after the large ones, on every partition: traffic that must keep flowing. */
export const followingEventsPerPartition = 20;

/** The consumer's V8 old-space cap in bytes, read from the flags it runs with. */
export const heapCapBytes = (() => {
  const flag = consumerNodeFlags.find((f) => f.startsWith('--max-old-space-size='));
  if (flag === undefined) throw new Error('the consumer runs without --max-old-space-size');
  return Number(flag.split('=')[1]) * 1024 * 1024;
})();

/**
 * Enough padded events to decode to five times the heap cap, whole batches on every partition: a
 * consumer that decodes a fetch whole goes far past the RSS bound (it went to 1.8-3.4 GB at ten
 * times), and half the bytes halve the two bombs' share of `npm test`.
 */
export function bombEventCount(partitions: number): number {
  const perRound = eventsPerBatch * partitions;
  return Math.ceil((5 * heapCapBytes) / paddedEventBytes / perRound) * perRound;
}

/**
 * How the large events reach their size: trailing whitespace (dropped by JSON.parse: the bytes
 * cost only while undecoded), or every third one instead metadata {"items": [{}, {}, …]}, every
 * byte an object to build, about 21 times its size in heap (bench/decoded-heap.ts, the worst shape
 * measured; all of them so would only make the test slower, Postgres storing 1 MiB jsonb each).
 */
export type Padding = 'whitespace' | 'every third costliest to decode';

const fillPlaceholder = '@fill';
const fillItem = '{}';

/** The event as the Java producer fills it to `bytes`: its metadata an array of `{}` to the brim. */
function filledEvent(event: ProductPurchasedV2, bytes: number) {
  const template = { ...event, metadata: { items: fillPlaceholder } };
  const [head = '', tail = ''] = JSON.stringify(template).split(JSON.stringify(fillPlaceholder));
  // The same arithmetic as JavaProducer.filled: items and the commas between them, in brackets.
  const room = bytes - Buffer.byteLength(head) - Buffer.byteLength(tail) - 2;
  const count = Math.floor((room + 1) / (fillItem.length + 1));
  return {
    template,
    filled: { ...event, metadata: { items: Array.from({ length: count }, () => ({})) } },
  };
}

export interface LargeBatches {
  readonly spec: JavaProducerSpec;
  /** Every event written, padded or not, in the order written. */
  readonly events: readonly ProductPurchasedV2[];
  /** Bytes the padded events decode to. */
  readonly decodedBytes: number;
}

export function largeBatches(options: {
  readonly bootstrapServers: string;
  readonly topic: string;
  readonly partitions: number;
  readonly padded: number;
  readonly producer: JavaProducerConfig;
  readonly padding: Padding;
}): LargeBatches {
  const { partitions, padded } = options;
  const events: ProductPurchasedV2[] = [];
  const steps: JavaStep[] = [];
  const record = (event: ProductPurchasedV2, partition: number): JavaRecord => {
    events.push(event);
    return { key: event.userId, value: JSON.stringify(event), partition };
  };
  const largeRecord = (event: ProductPurchasedV2, partition: number): JavaRecord => {
    const costly = options.padding !== 'whitespace' && events.length % 3 === 0;
    if (!costly) {
      return { ...record(event, partition), padTo: paddedEventBytes };
    }
    const { template, filled } = filledEvent(event, paddedEventBytes);
    events.push(filled);
    return {
      key: event.userId,
      value: JSON.stringify(template),
      partition,
      padTo: paddedEventBytes,
      fillAt: { placeholder: JSON.stringify(fillPlaceholder), item: fillItem },
    };
  };
  // A flush after each dozen per partition ends the batches there: with a large batch.size and a
  // long linger, each batch is exactly one dozen, whatever the client estimates they compress to.
  for (let written = 0; written < padded;) {
    for (let partition = 0; partition < partitions && written < padded; partition += 1) {
      const count = Math.min(eventsPerBatch, padded - written);
      const records = Array.from({ length: count }, () =>
        largeRecord(generateNewEvent(), partition),
      );
      steps.push({ op: 'send', records });
      written += count;
    }
    steps.push({ op: 'flush' });
  }
  for (let partition = 0; partition < partitions; partition += 1) {
    const records = Array.from({ length: followingEventsPerPartition }, (_, i) =>
      record(i % 2 === 0 ? generateOldEvent() : generateNewEvent(), partition),
    );
    steps.push({ op: 'send', records });
  }
  return {
    spec: {
      bootstrapServers: options.bootstrapServers,
      topic: options.topic,
      producers: [options.producer],
      steps,
      reportLogBytes: true,
    },
    events,
    decodedBytes: padded * paddedEventBytes,
  };
}
