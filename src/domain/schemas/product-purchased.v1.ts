// Version 1: the product.purchased event as the shop first emitted it.
// Extra fields are allowed (tolerant reader): a newer producer must not break an older consumer.
import { money, optionalText, text } from './common.ts';

export const productPurchasedV1 = {
  $id: 'product.purchased/v1',
  type: 'object',
  required: [
    'eventId',
    'eventType',
    'timestamp',
    'userId',
    'productId',
    'productName',
    'price',
    'currency',
    'quantity',
  ],
  properties: {
    eventId: text(255),
    eventType: { const: 'product.purchased' },
    timestamp: { type: 'string', format: 'date-time' },
    userId: text(255),
    productId: text(255),
    productName: text(500),
    category: optionalText(255),
    price: money,
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    quantity: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
    // Free-form, but not so deep that storing it would overflow a stack (JSON.stringify, Postgres).
    metadata: { type: ['object', 'null'], maxNestingDepth: 32 },
  },
} as const;
