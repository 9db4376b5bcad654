// 60 uncompressed events of nearly 1 MiB (EVENT_MAX_BYTES) over 3 partitions, read by the consumer
// as its own process with the heap limits `npm run consumer` runs with: every event is stored, the
// process never dies, and its peak RSS stays under the bound. Before the platformatic adapter
// bounded its rounds by bytes (stream-rounds.ts) and its stream's buffer to one message, a round
// took everything fetched ahead (a 4 096-message high-water mark): out of heap within seconds,
// one message per partition stored per restart.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { generateNewEvent } from '../../../src/apps/producer/generate-event.ts';
import { consumerNodeFlags } from '../../../src/apps/consumer/node-flags.ts';
import { consumerProcesses, expectRunning } from '../../support/consumer-process.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';
import { waitUntil } from '../../support/wait-until.ts';

const events = 60;
/** Peak RSS allowed (docs/performance.md: the consumer's bound at the largest messages). */
const peakRssMaxBytes = 250 * 1024 * 1024;

/** The process's peak resident set (Linux: VmHWM), in bytes. */
function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmHWM for process ${pid}`);
  return Number(kib) * 1024;
}

describe('near-1 MiB events, uncompressed, over 3 partitions', function () {
  this.timeout(240_000);
  let harness: PipelineHarness;
  const consumers = consumerProcesses(() => harness);

  beforeEach(async () => {
    harness = await createPipelineHarness({ partitions: 3 });
  });
  afterEach(async () => {
    await consumers.killAll();
    await harness.close();
  });

  it('are all stored by one consumer process under its heap limit, peak RSS under the bound', async () => {
    // ~1 000 000 bytes of JSON each: under EVENT_MAX_BYTES and the broker's max.message.bytes.
    const large = Array.from({ length: events }, () => ({
      ...generateNewEvent(),
      metadata: { note: 'x'.repeat(999_000) },
    }));
    // One by one: a record batch of two would pass the broker's max.message.bytes.
    for (const event of large) await harness.produceEvents([event]);
    // Uncovered, as users run it: under c8 (npm test) V8's coverage counters double the consumer's
    // CPU per event and add to the memory this measures.
    const consumer = consumers.start({ NODE_V8_COVERAGE: '' }, consumerNodeFlags);
    let peak = 0;
    await waitUntil(
      `${events} rows stored`,
      async () => {
        expectRunning(consumer);
        peak = Math.max(peak, peakRss(consumer.child.pid ?? 0));
        return (await harness.countRows()) === events;
      },
      180_000,
      200,
    );
    expectRunning(consumer);
    peak = Math.max(peak, peakRss(consumer.child.pid ?? 0));
    console.log(`      peak RSS ${(peak / 1024 / 1024).toFixed(0)} MiB`);
    expect(peak, 'peak RSS (bytes)').to.be.below(peakRssMaxBytes);
  });
});
