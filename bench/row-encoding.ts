// `npx node --expose-gc bench/row-encoding.ts`: what the consumer spends, per event, turning a
// batch of decoded events into what it sends Postgres, beside decoding them, in one process (so
// under the same load): CPU (user + system, the best of several rounds: the machine is shared) and
// bytes allocated (V8 heap plus Buffers, measured over a batch in which no collection ran).
//   - decode: decodeEvent of each message value (UTF-8, JSON.parse, validation), for scale;
//   - JSON document: the write path before COPY: row objects, JSON.stringify, UTF-8;
//   - COPY text: the write path now (storage/product-events.ts, shipping-addresses.ts).
// Both write paths also send the batch's eventIds as JSON for the lock (lockStoredEvents).
import { PerformanceObserver } from 'node:perf_hooks';
import { toEventMessage } from '../src/apps/producer/event-message.ts';
import { decodeEvent } from '../src/domain/events/decode-event.ts';
import type { ProductPurchasedV2 } from '../src/domain/schemas/types.ts';
import { productEventRows } from '../src/storage/product-events.ts';
import { shippingAddressRows, toShippingAddressRow } from '../src/storage/shipping-addresses.ts';
import { benchEvent } from './bench-events.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const batchSize = 2_000;
const batches = 10;
const rounds = 5;

const values = Array.from({ length: batches * batchSize }, (_, i) =>
  Buffer.from(String(toEventMessage(benchEvent(i)).value)),
);
const decodeAll = (chunk: readonly Buffer[]) =>
  chunk.map((value) => {
    const decoded = decodeEvent(value);
    if (decoded.kind !== 'event') throw new Error(`a bench event did not decode: ${decoded.kind}`);
    return decoded.event;
  });
const valueBatches = Array.from({ length: batches }, (_, b) =>
  values.slice(b * batchSize, (b + 1) * batchSize),
);
const eventBatches = valueBatches.map(decodeAll);

/** The product_events row as json_to_recordset read it before COPY (one object per event). */
const jsonRow = (event: ProductPurchasedV2) => ({
  event_id: event.eventId,
  event_type: event.eventType,
  timestamp: event.timestamp,
  user_id: event.userId,
  product_id: event.productId,
  product_name: event.productName,
  category: event.category ?? null,
  price: event.price,
  currency: event.currency,
  quantity: event.quantity,
  metadata: event.metadata ?? null,
  discount_code: event.discountCode ?? null,
  discount_amount: event.discountAmount ?? null,
  tax_amount: event.taxAmount ?? null,
});
const addressRows = (events: readonly ProductPurchasedV2[]) =>
  events.flatMap((event) => toShippingAddressRow(event) ?? []);
const lockIds = (events: readonly ProductPurchasedV2[]) =>
  Buffer.byteLength(JSON.stringify(events.map((event) => event.eventId)));

const byteCount = (buffers: readonly Buffer[]) =>
  buffers.reduce((sum, buffer) => sum + buffer.length, 0);

const writePaths: Record<string, (events: readonly ProductPurchasedV2[]) => number> = {
  'JSON document (before)': (events) =>
    Buffer.from(JSON.stringify(events.map(jsonRow))).length +
    Buffer.from(JSON.stringify(addressRows(events))).length +
    lockIds(events),
  'COPY text (now)': (events) =>
    byteCount(productEventRows(events)) +
    byteCount(shippingAddressRows(addressRows(events))) +
    lockIds(events),
};

let collections = 0;
new PerformanceObserver((list) => {
  collections += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

/** Bytes allocated per event by one batch, retried until no collection ran during it. */
async function allocatedPerEvent(run: () => unknown): Promise<number> {
  for (let attempt = 0; attempt < 10; attempt++) {
    gc?.();
    await settle();
    const before = collections;
    const start = process.memoryUsage();
    run();
    const end = process.memoryUsage();
    await settle();
    if (collections === before)
      return (end.heapUsed - start.heapUsed + end.arrayBuffers - start.arrayBuffers) / batchSize;
  }
  return NaN;
}

function cpuMicrosPerEvent(run: (batch: number) => unknown): number {
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const start = process.cpuUsage();
    for (let batch = 0; batch < batches; batch++) run(batch);
    const spent = process.cpuUsage(start);
    best = Math.min(best, (spent.user + spent.system) / (batches * batchSize));
  }
  return best;
}

const measured: Record<string, unknown>[] = [];
const measure = async (name: string, run: (batch: number) => unknown, bytesSent?: number) => {
  measured.push({
    step: name,
    'CPU µs/event': cpuMicrosPerEvent(run).toFixed(2),
    'allocated B/event': (await allocatedPerEvent(() => run(0))).toFixed(0),
    'sent B/event': bytesSent === undefined ? '' : bytesSent.toFixed(0),
  });
};
const [firstBatch] = eventBatches;
if (firstBatch === undefined) throw new Error('no batch');
await measure('decode', (batch) => decodeAll(valueBatches[batch] ?? []));
for (const [name, write] of Object.entries(writePaths)) {
  await measure(name, (batch) => write(eventBatches[batch] ?? []), write(firstBatch) / batchSize);
}
console.table(measured);
