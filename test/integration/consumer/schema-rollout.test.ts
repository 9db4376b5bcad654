// The consumer may be deployed before the v2 migration has run: original-shape events keep being
// stored, events with v2 fields wait (never dead-lettered, never stored without their fields),
// and everything is stored once the migration runs.
import { expect } from 'chai';
import { generateOldEvent } from '../../../src/apps/producer/generate-event.ts';
import type { ProductPurchasedV2 } from '../../../src/domain/schemas/types.ts';
import { createIngestMetrics } from '../../../src/apps/consumer/ingest-metrics.ts';
import { waitUntil } from '../../support/wait-until.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';

describe('a consumer running before the v2 migration', function () {
  this.timeout(120_000);
  let harness: PipelineHarness;

  beforeEach(async () => {
    harness = await createPipelineHarness({ migrate: false, partitions: 1 });
    await harness.db.migrate.up(); // the original table only
  });
  afterEach(async () => {
    await harness.close();
  });

  it('stores old-shape events at once and new-shape events as soon as the migration has run', async () => {
    const old = Array.from({ length: 10 }, () => generateOldEvent());
    const withTax: ProductPurchasedV2[] = Array.from({ length: 5 }, () => ({
      ...generateOldEvent(),
      taxAmount: 1.5,
    }));
    await harness.produceEvents(old);
    const metrics = createIngestMetrics(harness.db);
    await harness.startConsumer(undefined, metrics);
    await harness.waitForRows(old.length);

    await harness.produceEvents(withTax);
    // The batch with tax fields is being retried (DATABASE_LACKS_V2): it has been seen and held.
    const retries = () => metrics.registry.getSingleMetric('product_events_retries_total')?.get();
    await waitUntil('the v2 batch to be retried', async () => {
      const value = (await retries())?.values[0]?.value ?? 0;
      return value >= 2;
    });
    expect(await harness.countRows()).to.equal(old.length); // waiting, not stored without tax
    expect(harness.fatalErrors).to.deep.equal([]);

    await harness.db.migrate.latest();
    await harness.waitForRows(old.length + withTax.length);
    const taxes = await harness.db('product_events').whereNotNull('tax_amount').pluck('tax_amount');
    expect(taxes).to.deep.equal(['1.50', '1.50', '1.50', '1.50', '1.50']);
    expect(await harness.deadLetterCount()).to.equal(0);
    await harness.expectNothingLost();
  });
});
