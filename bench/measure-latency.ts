// Latency at a steady rate: each event carries its send time; a poller sees rows as they commit.
// Latency is the time from send to the row being visible to another connection (polled every
// 10 ms, so figures include up to 10 ms of polling delay).
import type { Producer } from '../src/messaging/port.ts';
import type { Knex } from 'knex';
import { toEventMessage } from '../src/apps/producer/event-message.ts';
import { benchEvent } from './bench-events.ts';

const tickMs = 10;
const pollMs = 10;

export interface LatencyResult {
  readonly events: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export async function measureLatency(
  producer: Producer,
  db: Knex,
  topic: string,
  rate: number,
  seconds: number,
): Promise<LatencyResult> {
  const unseen = new Map<string, number>(); // eventId → send time
  const latencies: number[] = [];
  let producing = true;
  let producedAt = Infinity;

  const poller = (async () => {
    while (producing || unseen.size > 0) {
      if (Date.now() - producedAt > 60_000) throw new Error(`${unseen.size} events never arrived`);
      const oldest = Math.min(...unseen.values());
      if (Number.isFinite(oldest)) {
        const rows = await db('product_events')
          .select<{ event_id: string }[]>('event_id')
          .where('timestamp', '>=', new Date(oldest));
        const now = Date.now();
        for (const { event_id: eventId } of rows) {
          const sentAt = unseen.get(eventId);
          if (sentAt !== undefined) {
            latencies.push(now - sentAt);
            unseen.delete(eventId);
          }
        }
      }
      await sleep(pollMs);
    }
  })();

  const total = rate * seconds;
  const startedAt = Date.now();
  for (let sent = 0; sent < total;) {
    const due = Math.min(total, Math.floor(((Date.now() - startedAt) / 1000) * rate) + 1);
    const messages = [];
    for (; sent < due; sent += 1) {
      const now = new Date();
      const event = benchEvent(sent, now);
      unseen.set(event.eventId, now.getTime());
      messages.push(toEventMessage(event));
    }
    if (messages.length > 0) await producer.send(topic, messages);
    await sleep(tickMs);
  }
  producing = false;
  producedAt = Date.now();
  await poller;

  const sorted = latencies.sort((a, b) => a - b);
  return {
    events: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? NaN,
  };
}
