// Example events shared by the unit tests. Each factory returns a fresh object, so a test can
// change or delete fields without affecting any other test.
import type { ProductPurchasedV1, ProductPurchasedV2 } from '../../src/domain/schemas/types.ts';

/** The product.purchased event exactly as the original task shows it (schema version 1). */
export function exampleV1Event(): ProductPurchasedV1 {
  return {
    eventId: 'evt_abc123def456',
    eventType: 'product.purchased',
    timestamp: '2025-10-08T15:30:22.456Z',
    userId: 'user_12345',
    productId: 'prod_abc123',
    productName: 'Wireless Headphones',
    category: 'Electronics',
    price: 129.99,
    currency: 'USD',
    quantity: 2,
    metadata: {
      source: 'mobile_app',
      sessionId: 'sess_xyz789',
      ipAddress: '192.168.1.100',
    },
  };
}

/** The version 1 example plus every field version 2 adds. */
export function exampleV2Event(): ProductPurchasedV2 {
  return {
    ...exampleV1Event(),
    discountCode: 'SUMMER2025',
    discountAmount: 20.0,
    taxAmount: 10.99,
    shippingAddress: {
      street: '123 Main St',
      city: 'San Francisco',
      state: 'CA',
      zipCode: '94102',
      country: 'USA',
    },
  };
}

/** The smallest valid event: only the required fields. */
export function minimalEvent(): ProductPurchasedV2 {
  return {
    eventId: 'evt_0000000000000001',
    eventType: 'product.purchased',
    timestamp: '2025-10-08T15:30:22Z',
    userId: 'user_1',
    productId: 'prod_1',
    productName: 'Yoga Mat',
    price: 25,
    currency: 'EUR',
    quantity: 1,
  };
}

/** A Kafka message value holding the given value as UTF-8 JSON text. */
export function messageValue(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
