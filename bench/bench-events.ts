// The benchmark's load: alternately an original-shape event and a new-shape event with an address,
// so both tables and both code paths are exercised in equal parts.
import { generateNewEvent, generateOldEvent } from '../src/apps/producer/generate-event.ts';
import { addresses } from '../src/apps/producer/sample-data.ts';
import type { ProductPurchasedV2 } from '../src/domain/schemas/types.ts';

export function benchEvent(index: number, now?: Date): ProductPurchasedV2 {
  if (index % 2 === 0) return generateOldEvent(now);
  const event = generateNewEvent(now);
  return event.shippingAddress == null ? { ...event, shippingAddress: { ...addresses[0] } } : event;
}
