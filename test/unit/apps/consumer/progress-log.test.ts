// The consumer's progress line, on a clock the test turns by hand: the first batch after a quiet
// spell is reported at once, later ones at most once per interval, and nothing while idle.
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import winston from 'winston';
import type { BatchSummary } from '../../../../src/pipeline/process-batch.ts';
import { createLogger } from '../../../../src/runtime/logger.ts';
import {
  createProgressLog,
  type ProgressClock,
} from '../../../../src/apps/consumer/progress-log.ts';

/** A clock whose time moves only when the test says, running what falls due. */
function manualClock() {
  let time = 0;
  let pending: { at: number; task: () => void }[] = [];
  const clock: ProgressClock = {
    now: () => time,
    schedule(task, ms) {
      const entry = { at: time + ms, task };
      pending.push(entry);
      return () => {
        pending = pending.filter((p) => p !== entry);
      };
    },
  };
  return {
    clock,
    advance: (ms: number) => {
      time += ms;
      const due = pending.filter((p) => p.at <= time);
      pending = pending.filter((p) => p.at > time);
      for (const { task } of due) task();
    },
  };
}

function capturedLines() {
  const lines: Record<string, unknown>[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(JSON.parse(chunk.toString()) as never));
  const logger = createLogger('info', 'json');
  logger.clear().add(new winston.transports.Stream({ stream }));
  return { logger, lines };
}

const batch = (v1: number, v2: number, deadLettered: BatchSummary['deadLettered'] = {}) =>
  ({
    received: v1 + v2,
    stored: v1 + v2,
    storedBySchemaVersion: { 1: v1, 2: v2 },
    repeats: 0,
    skipped: 0,
    deadLettered,
  }) satisfies BatchSummary;

describe('the progress log', () => {
  it('reports the first batch at once, then at most once per interval, nothing when idle', async () => {
    const { logger, lines } = capturedLines();
    const { clock, advance } = manualClock();
    let lag = 7;
    const progress = createProgressLog(logger, () => lag, clock, 10_000);
    await new Promise(setImmediate);

    progress.batchStored(batch(1, 0));
    await new Promise(setImmediate);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ message: 'events stored', stored: 1, newShape: 0, lag: 7 });

    advance(2_000);
    progress.batchStored(batch(2, 3, { EVENT_SCHEMA_VIOLATION: 1 }));
    advance(3_000);
    progress.batchStored(batch(0, 1));
    lag = 0;
    await new Promise(setImmediate);
    expect(lines, 'within the interval').to.have.length(1);

    advance(5_000); // 10 s after the first line
    await new Promise(setImmediate);
    expect(lines).to.have.length(2);
    expect(lines[1]).to.deep.include({
      stored: 6,
      newShape: 4,
      deadLettered: 1,
      deadLetteredByCode: { EVENT_SCHEMA_VIOLATION: 1 },
      lag: 0,
    });

    advance(60_000);
    progress.flush();
    await new Promise(setImmediate);
    expect(lines, 'idle: nothing').to.have.length(2);
  });

  it('writes what is left on a clean stop', async () => {
    const { logger, lines } = capturedLines();
    const { clock, advance } = manualClock();
    const progress = createProgressLog(logger, () => 0, clock, 10_000);
    progress.batchStored(batch(1, 0));
    advance(1_000);
    progress.batchStored(batch(0, 2));
    progress.flush();
    await new Promise(setImmediate);
    expect(lines.map((line) => line['stored'])).to.deep.equal([1, 2]);
    advance(20_000);
    await new Promise(setImmediate);
    expect(lines, 'the flushed counts are not written twice').to.have.length(2);
  });
});
