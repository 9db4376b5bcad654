// One statement cannot upsert the same event_id twice, and at-least-once delivery does repeat
// events, so a batch keeps each eventId once. A repeat with different content is a conflict.
import { canonicalJson } from '../events/canonical-json.ts';
import type { ProductPurchasedV2 } from '../schemas/types.ts';

export interface Deduped<T extends { readonly event: ProductPurchasedV2 }> {
  readonly unique: T[];
  /** Exact repeats of an event earlier in the batch: nothing to do. */
  readonly repeats: T[];
  /** Same eventId as an earlier event in the batch, different content. */
  readonly conflicts: T[];
}

export function dedupeEvents<T extends { readonly event: ProductPurchasedV2 }>(
  items: readonly T[],
): Deduped<T> {
  const firstById = new Map<string, { item: T; canonical?: string }>();
  const result: Deduped<T> = { unique: [], repeats: [], conflicts: [] };
  for (const item of items) {
    const first = firstById.get(item.event.eventId);
    if (first === undefined) {
      firstById.set(item.event.eventId, { item });
      result.unique.push(item);
      continue;
    }
    // Canonical text only for ids seen twice: the common batch pays nothing for this check.
    first.canonical ??= canonicalJson(first.item.event);
    const same = first.canonical === canonicalJson(item.event);
    (same ? result.repeats : result.conflicts).push(item);
  }
  return result;
}
