// Adds up batch summaries, for the commands that report what a whole run did (replay, redrive).
import type { BatchSummary } from '../pipeline/process-batch.ts';

export interface BatchTotals {
  received: number;
  stored: number;
  repeats: number;
  skipped: number;
  failed: Record<string, number>;
}

export function emptyTotals(): BatchTotals {
  return { received: 0, stored: 0, repeats: 0, skipped: 0, failed: {} };
}

export function addToTotals(totals: BatchTotals, summary: BatchSummary): void {
  totals.received += summary.received;
  totals.stored += summary.stored;
  totals.repeats += summary.repeats;
  totals.skipped += summary.skipped;
  for (const [code, count] of Object.entries(summary.deadLettered)) {
    totals.failed[code] = (totals.failed[code] ?? 0) + count;
  }
}
