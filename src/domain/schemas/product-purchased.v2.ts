// Version 2: version 1 plus optional discount, tax and shipping address. Every new field is
// optional, so every version 1 event is also a valid version 2 event.
import { optionalMoney, optionalText, text } from './common.ts';
import { productPurchasedV1 } from './product-purchased.v1.ts';

export const shippingAddress = {
  type: ['object', 'null'],
  required: ['street', 'city', 'country'],
  properties: {
    street: text(255),
    city: text(255),
    // Many countries have no states or postal codes.
    state: optionalText(100),
    zipCode: optionalText(20),
    country: text(100),
  },
} as const;

export const v2OnlyFields = [
  'discountCode',
  'discountAmount',
  'taxAmount',
  'shippingAddress',
] as const;

export const productPurchasedV2 = {
  ...productPurchasedV1,
  $id: 'product.purchased/v2',
  properties: {
    ...productPurchasedV1.properties,
    discountCode: optionalText(100),
    discountAmount: optionalMoney,
    taxAmount: optionalMoney,
    shippingAddress,
  },
} as const;
