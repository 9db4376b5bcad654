// Event types derived from the schemas themselves, so schema and type cannot drift apart.
import type { FromSchema } from 'json-schema-to-ts';
import type { productPurchasedV1 } from './product-purchased.v1.ts';
import type { productPurchasedV2 } from './product-purchased.v2.ts';

export type ProductPurchasedV1 = FromSchema<typeof productPurchasedV1>;
export type ProductPurchasedV2 = FromSchema<typeof productPurchasedV2>;
