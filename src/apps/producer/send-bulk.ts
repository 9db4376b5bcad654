// Bulk mode: sends `count` events in chunks, optionally paced to a rate, reporting progress.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from '../../messaging/port.ts';
import { generateEvent, type EventShape } from './generate-event.ts';
import { toEventMessage } from './event-message.ts';

interface BulkOptions {
  readonly topic: string;
  readonly shape: EventShape;
  readonly count: number;
  readonly rate?: number;
  readonly chunkSize?: number;
  readonly isStopping?: () => boolean;
  readonly onProgress?: (sent: number) => void;
}

/** Returns how many events were sent (fewer than count only when stopped early). */
export async function sendBulk(producer: Producer, options: BulkOptions): Promise<number> {
  const chunkSize =
    options.chunkSize ??
    (options.rate === undefined ? 1000 : Math.max(1, Math.ceil(options.rate / 20)));
  const startedAt = performance.now();
  let sent = 0;
  while (sent < options.count && options.isStopping?.() !== true) {
    const size = Math.min(chunkSize, options.count - sent);
    const messages = Array.from({ length: size }, () =>
      toEventMessage(generateEvent(options.shape)),
    );
    await producer.send(options.topic, messages);
    sent += size;
    options.onProgress?.(sent);
    if (options.rate !== undefined) {
      const dueMs = (sent / options.rate) * 1000;
      const aheadMs = dueMs - (performance.now() - startedAt);
      if (aheadMs > 0) await sleep(aheadMs);
    }
  }
  return sent;
}
