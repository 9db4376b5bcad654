// The consumer's progress at info level: what a person watching it wants to see ("events are being
// stored"), without a line per batch. While batches are stored, one line at most every 10 s with
// what was stored (new-shape events among them), dead-lettered and how far behind the consumer is;
// while idle, nothing. The first batch after a quiet spell is reported at once, so a user who has
// just sent an event sees it stored without waiting out the interval.
import type { BatchSummary } from '../../pipeline/process-batch.ts';
import type { Logger } from '../../runtime/logger.ts';

const progressIntervalMs = 10_000;

export interface ProgressLog {
  /** Counts one stored batch; logs now, or once the interval since the last line is over. */
  batchStored(summary: BatchSummary): void;
  /** Logs what was counted since the last line, if anything (on a clean stop). */
  flush(): void;
}

export interface ProgressClock {
  readonly now: () => number;
  /** Runs `task` after `ms`; the returned function cancels it. */
  readonly schedule: (task: () => void, ms: number) => () => void;
}

const realClock: ProgressClock = {
  now: () => performance.now(),
  schedule(task, ms) {
    // unref: a pending progress line never keeps a stopping process alive.
    const timer = setTimeout(task, ms).unref();
    return () => clearTimeout(timer);
  },
};

interface Counts {
  stored: number;
  newShape: number;
  deadLettered: number;
  deadLetteredByCode: Record<string, number>;
}

const noCounts = (): Counts => ({
  stored: 0,
  newShape: 0,
  deadLettered: 0,
  deadLetteredByCode: {},
});

/** `lag` is read when a line is written: messages behind, over this process's partitions. */
export function createProgressLog(
  logger: Logger,
  lag: () => number,
  clock: ProgressClock = realClock,
  intervalMs = progressIntervalMs,
): ProgressLog {
  let counts = noCounts();
  let batches = 0;
  let lastLineAt = -Infinity;
  let cancelPending: (() => void) | undefined;

  function writeLine(): void {
    cancelPending?.();
    cancelPending = undefined;
    if (batches === 0) return;
    const { stored, newShape, deadLettered, deadLetteredByCode } = counts;
    logger.info('events stored', {
      stored,
      newShape,
      deadLettered,
      ...(deadLettered > 0 ? { deadLetteredByCode } : {}),
      lag: lag(),
    });
    counts = noCounts();
    batches = 0;
    lastLineAt = clock.now();
  }

  return {
    batchStored(summary) {
      batches += 1;
      counts.stored += summary.stored;
      counts.newShape += summary.storedBySchemaVersion[2];
      for (const [code, count] of Object.entries(summary.deadLettered)) {
        counts.deadLettered += count;
        counts.deadLetteredByCode[code] = (counts.deadLetteredByCode[code] ?? 0) + count;
      }
      const wait = lastLineAt + intervalMs - clock.now();
      if (wait <= 0) writeLine();
      else cancelPending ??= clock.schedule(writeLine, wait);
    },
    flush: writeLine,
  };
}
