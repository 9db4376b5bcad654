// Watches the stored row count every ~50 ms on a connection of its own and reports the longest
// stall: the longest time the count did not grow while more events had been produced than stored.
// Its query gives up on a lock after 100 ms (a migration holding the table): such a sample counts
// as "no growth", so the monitor never hides a stall by queueing behind the very lock it measures.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export interface StallReport {
  readonly longestStallMs: number;
  /** When the longest stall began and ended (performance.now()). */
  readonly longestStallFrom: number;
  readonly longestStallTo: number;
  readonly samples: number;
  /** Samples whose query could not get its lock within 100 ms. */
  readonly lockedOutSamples: number;
}

export interface StallMonitor {
  stop(): Promise<StallReport>;
}

const lockNotAvailable = '55P03';

export async function watchStalls(options: {
  readonly databaseUrl: string;
  /** How many events have been produced (acknowledged by the broker) so far. */
  readonly produced: () => number;
  readonly intervalMs?: number;
}): Promise<StallMonitor> {
  const intervalMs = options.intervalMs ?? 50;
  const client = new pg.Client({
    connectionString: options.databaseUrl,
    options: '-c lock_timeout=100ms',
  });
  await client.connect();
  let running = true;
  let stored = -1;
  let progressAt = performance.now();
  let longest = { ms: 0, from: progressAt, to: progressAt };
  let samples = 0;
  let lockedOutSamples = 0;

  let failure: unknown;
  const loop = (async () => {
    while (running) {
      const sampledAt = performance.now();
      let count: number | undefined;
      try {
        const result = await client.query<{ n: string }>(
          'SELECT count(*) AS n FROM product_events',
        );
        count = Number(result.rows[0]?.n);
      } catch (error) {
        if ((error as { code?: unknown }).code !== lockNotAvailable) throw error;
        lockedOutSamples += 1;
      }
      const now = performance.now();
      samples += 1;
      const grew = count !== undefined && count > stored;
      if (count !== undefined) stored = Math.max(stored, count);
      if (grew || options.produced() <= stored) {
        progressAt = now;
      } else if (now - progressAt > longest.ms) {
        longest = { ms: now - progressAt, from: progressAt, to: now };
      }
      await sleep(Math.max(0, intervalMs - (now - sampledAt)));
    }
  })().catch((error: unknown) => {
    failure = error;
  });

  return {
    async stop() {
      running = false;
      try {
        await loop;
      } finally {
        await client.end();
      }
      if (failure !== undefined) {
        throw failure instanceof Error ? failure : new Error('the stall monitor failed');
      }
      return {
        longestStallMs: longest.ms,
        longestStallFrom: longest.from,
        longestStallTo: longest.to,
        samples,
        lockedOutSamples,
      };
    },
  };
}
