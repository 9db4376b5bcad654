// The ceiling: the same rows written straight into Postgres through the consumer's own write path
// (writeInOneTransaction: the same SQL, one transaction per batch), with the consumer's batch size and
// concurrency, and no Kafka. End to end can approach this, never beat it.
import type { Knex } from 'knex';
import { writeInOneTransaction } from '../src/pipeline/write-in-one-transaction.ts';
import type { ProductPurchasedV2 } from '../src/domain/schemas/types.ts';
import type { ChartPoint } from './rows-chart.ts';

export interface CeilingResult {
  readonly rowsPerSecond: number;
  /** Rows committed, seconds from the start of the phase. */
  readonly progress: readonly ChartPoint[];
}

/**
 * Writes `events` in batches of `batchSize`, `concurrency` at a time, with `write`: the rate and
 * the rows committed over time.
 */
export async function writeInBatches(
  events: readonly ProductPurchasedV2[],
  batchSize: number,
  concurrency: number,
  write: (batch: readonly ProductPurchasedV2[]) => Promise<unknown>,
): Promise<CeilingResult> {
  const startedAt = performance.now();
  const progress: ChartPoint[] = [{ seconds: 0, rows: 0 }];
  let next = 0;
  let stored = 0;
  const worker = async () => {
    while (next < events.length) {
      const batch = events.slice(next, next + batchSize);
      next += batch.length;
      await write(batch);
      stored += batch.length;
      progress.push({ seconds: (performance.now() - startedAt) / 1000, rows: stored });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return {
    rowsPerSecond: events.length / ((performance.now() - startedAt) / 1000),
    progress,
  };
}

export function measureCeiling(
  db: Knex,
  events: readonly ProductPurchasedV2[],
  batchSize: number,
  concurrency: number,
): Promise<CeilingResult> {
  return writeInBatches(events, batchSize, concurrency, (batch) =>
    writeInOneTransaction(db, batch, 'v2'),
  );
}
