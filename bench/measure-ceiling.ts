// The ceiling: the same rows written straight into Postgres through the consumer's own write path
// (writeEvents: the same SQL, one transaction per batch), with the consumer's batch size and
// concurrency, and no Kafka. End to end can approach this, never beat it.
import type { Knex } from 'knex';
import { writeEvents } from '../src/pipeline/write-events.ts';
import type { ProductPurchasedV2 } from '../src/domain/schemas/types.ts';

export async function measureCeiling(
  db: Knex,
  events: readonly ProductPurchasedV2[],
  batchSize: number,
  concurrency: number,
): Promise<number> {
  const startedAt = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < events.length) {
      const batch = events.slice(next, next + batchSize);
      next += batch.length;
      await writeEvents(db, batch, 'v2');
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return events.length / ((performance.now() - startedAt) / 1000);
}
