// Sends prepared messages at a steady rate (chunks every ~50 ms, catching up when a send was slow)
// and reports the rate it achieved: the load generator of the tests that need "N events a second".
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
  const startedAt = performance.now();
  let sent = 0;
  while (sent < options.messages.length) {
    const chunk = options.messages.slice(sent, sent + chunkSize);
    await producer.send({ topic: options.topic, acks: -1, messages: [...chunk] });
    sent += chunk.length;
    options.onSent?.(sent);
    const aheadMs = (sent / options.ratePerSecond) * 1000 - (performance.now() - startedAt);
    if (aheadMs > 0 && sent < options.messages.length) await sleep(aheadMs);
  }
  const elapsedMs = performance.now() - startedAt;
  return { sent, elapsedMs, ratePerSecond: (sent / elapsedMs) * 1000 };
}
