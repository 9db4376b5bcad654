// Sends prepared messages at a steady rate (chunks every ~50 ms) and reports the rate it achieved:
// the load generator of the tests that need "N events a second". Behind schedule (a slow
// acknowledgement on a loaded machine), the next send takes every message due by then, up to a
// second's worth: the rate then follows the producer's throughput, not one send's latency (with
// fixed chunks, one send at a time, a loaded CI run fell to 974 of the 1 250 asked).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message, Producer } from 'kafkajs';

export interface PacedOptions {
  readonly topic: string;
  readonly messages: readonly Message[];
  readonly ratePerSecond: number;
  /** Called after each acknowledged chunk with the number acknowledged so far. */
  readonly onSent?: (sent: number) => void;
}

export interface PacedResult {
  readonly sent: number;
  /** From the first send to the last acknowledgement. */
  readonly elapsedMs: number;
  readonly ratePerSecond: number;
}

export async function sendPaced(producer: Producer, options: PacedOptions): Promise<PacedResult> {
  const chunkSize = Math.max(1, Math.ceil(options.ratePerSecond / 20));
  const maxChunkSize = Math.max(chunkSize, Math.ceil(options.ratePerSecond));
  const startedAt = performance.now();
  let sent = 0;
  while (sent < options.messages.length) {
    const due = Math.floor(((performance.now() - startedAt) / 1000) * options.ratePerSecond) - sent;
    const size = Math.min(maxChunkSize, Math.max(chunkSize, due));
    const chunk = options.messages.slice(sent, sent + size);
    await producer.send({ topic: options.topic, acks: -1, messages: [...chunk] });
    sent += chunk.length;
    options.onSent?.(sent);
    const aheadMs = (sent / options.ratePerSecond) * 1000 - (performance.now() - startedAt);
    if (aheadMs > 0 && sent < options.messages.length) await sleep(aheadMs);
  }
  const elapsedMs = performance.now() - startedAt;
  return { sent, elapsedMs, ratePerSecond: (sent / elapsedMs) * 1000 };
}
