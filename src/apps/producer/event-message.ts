// An event as a Kafka message: keyed by userId, so one user's purchases stay in order.
import type { OutboundMessage } from '../../messaging/message.ts';
import type { ProductPurchasedV2 } from '../../domain/schemas/types.ts';

export function toEventMessage(event: ProductPurchasedV2): OutboundMessage {
  return { key: event.userId, value: JSON.stringify(event) };
}
