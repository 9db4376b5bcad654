// Generates product.purchased events in the original shape (v1) or the new one (v2).
import { randomBytes, randomInt } from 'node:crypto';
import type { ProductPurchasedV1, ProductPurchasedV2 } from '../../domain/schemas/types.ts';
import { addresses, currencies, discountCodes, products, sources } from './sample-data.ts';

export type EventShape = 'old' | 'new';

const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)] as T;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const cents = (amount: number) => Math.round(amount * 100) / 100;

export function generateOldEvent(now = new Date()): ProductPurchasedV1 {
  const product = pick(products);
  return {
    eventId: `evt_${hex(8)}`,
    eventType: 'product.purchased',
    timestamp: now.toISOString(),
    userId: `user_${randomInt(10_000, 100_000)}`,
    productId: product.id,
    productName: product.name,
    category: product.category,
    price: product.price,
    currency: pick(currencies),
    quantity: randomInt(1, 5),
    metadata: {
      source: pick(sources),
      sessionId: `sess_${hex(6)}`,
      ipAddress: `192.168.${randomInt(256)}.${randomInt(1, 255)}`,
    },
  };
}

/** The new shape; each new field is sent or left out independently, as real producers do. */
export function generateNewEvent(now = new Date()): ProductPurchasedV2 {
  const event: ProductPurchasedV2 = { ...generateOldEvent(now) };
  const subtotal = event.price * event.quantity;
  if (randomInt(2) === 0) {
    event.discountCode = pick(discountCodes);
    event.discountAmount = cents(subtotal * pick([0.05, 0.1, 0.15]));
  }
  if (randomInt(5) !== 0) event.taxAmount = cents(subtotal * 0.0825);
  if (randomInt(5) !== 0) event.shippingAddress = { ...pick(addresses) };
  return event;
}

export function generateEvent(shape: EventShape, now?: Date): ProductPurchasedV2 {
  return shape === 'new' ? generateNewEvent(now) : generateOldEvent(now);
}
