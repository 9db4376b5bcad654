// Produces the backlog as fast as the broker takes it: large sends, several in flight, each
// acknowledged by all in-sync replicas (the port's producer).
import type { Producer } from '../src/messaging/port.ts';
import type { ProductPurchasedV2 } from '../src/domain/schemas/types.ts';
import { toEventMessage } from '../src/apps/producer/event-message.ts';

const messagesPerSend = 2_000;
const sendsInFlight = 4;

export async function produceBacklog(
  producer: Producer,
  topic: string,
  events: readonly ProductPurchasedV2[],
  onProgress: (sent: number) => void,
): Promise<number> {
  const startedAt = performance.now();
  let next = 0;
  let sent = 0;
  const worker = async () => {
    while (next < events.length) {
      const chunk = events.slice(next, next + messagesPerSend);
      next += chunk.length;
      await producer.send(topic, chunk.map(toEventMessage));
      sent += chunk.length;
      onProgress(sent);
    }
  };
  await Promise.all(Array.from({ length: sendsInFlight }, worker));
  return events.length / ((performance.now() - startedAt) / 1000);
}
