// `node --expose-gc bench/decoded-heap.ts`: how much V8 heap one decoded message holds at the
// largest allowed size (EVENT_MAX_BYTES, 1 MiB), for the shapes that cost JSON.parse the most per
// byte. A valid event may carry any unknown field and any metadata, so these are held from decoding
// until the batch is stored; docs/performance.md multiplies the worst by the bytes in flight.
import { decodeEvent, defaultEventLimits } from '../src/domain/events/decode-event.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const maxBytes = defaultEventLimits.maxBytes;
const base = {
  eventId: 'evt_1',
  eventType: 'product.purchased',
  timestamp: '2026-01-01T00:00:00Z',
  userId: 'user_1',
  productId: 'prod_1',
  productName: 'Lamp',
  price: 1,
  currency: 'EUR',
  quantity: 1,
};

/** The largest event with `field` set to make(n) that still fits in maxBytes. */
function largest(field: string, make: (n: number) => unknown): Buffer {
  const encode = (n: number) => Buffer.from(JSON.stringify({ ...base, [field]: make(n) }));
  let [low, high] = [1, maxBytes];
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (encode(middle).length <= maxBytes) low = middle;
    else high = middle - 1;
  }
  return encode(low);
}

const filled = (value: () => unknown) => (n: number) => Array.from({ length: n }, value);
const shapes: readonly [string, Buffer][] = [
  [
    'unknown field [{}, {}, …]',
    largest(
      'extra',
      filled(() => ({})),
    ),
  ],
  [
    'metadata {"items": [{}, {}, …]}',
    largest('metadata', (n) => ({ items: filled(() => ({}))(n) })),
  ],
  [
    'unknown field [[], [], …]',
    largest(
      'extra',
      filled(() => []),
    ),
  ],
  [
    'metadata {"0": 0, "1": 0, …}',
    largest('metadata', (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [i, 0]))),
  ],
  [
    'unknown field [0.5, 0.5, …]',
    largest(
      'extra',
      filled(() => 0.5),
    ),
  ],
  [
    'unknown field ["", "", …]',
    largest(
      'extra',
      filled(() => ''),
    ),
  ],
];

const copies = 4;
for (const [name, value] of shapes) {
  const held: unknown[] = [];
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < copies; i += 1) held.push(decodeEvent(value));
  gc();
  const perMessage = (process.memoryUsage().heapUsed - before) / copies;
  const kind = (held[0] as { kind: string }).kind;
  process.stdout.write(
    `${name.padEnd(36)} ${value.length} bytes, ${kind}: ${(perMessage / 1_048_576).toFixed(1)} MiB of heap (×${(perMessage / value.length).toFixed(1)})\n`,
  );
}
