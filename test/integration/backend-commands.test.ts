// The task's own verification, as a user runs it: backend:old, then backend:new, then backend:old
// again, each stopped with a signal, and the rows show the new fields only where they were sent.
// At the default log level the consumer says what it stored (progress-log.ts), as the README's
// walkthrough quotes it.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';
import { runScript } from '../support/run-script.ts';
import { waitUntil } from '../support/wait-until.ts';

interface Row {
  event_id: string;
  discount_code: string | null;
  discount_amount: string | null;
  tax_amount: string | null;
  has_address: boolean;
}

const rows = (db: Knex) =>
  db
    .select<Row[]>(
      'e.event_id',
      'e.discount_code',
      'e.discount_amount',
      'e.tax_amount',
      db.raw('a.event_id IS NOT NULL AS has_address'),
    )
    .from('product_events as e')
    .leftJoin('shipping_addresses as a', 'a.event_id', 'e.event_id')
    .orderBy('e.id');

interface ProgressLine {
  stored: number;
  newShape: number;
  deadLettered: number;
  lag: number;
}

/** The consumer's `events stored` lines among a backend's JSON log lines. */
const progressLines = (output: string): ProgressLine[] =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('"events stored"'))
    .map((line) => JSON.parse(line) as ProgressLine & { component?: string; level?: string })
    .filter((line) => line.component === 'consumer' && line.level === 'info');

const sum = (lines: readonly ProgressLine[], field: 'stored' | 'newShape') =>
  lines.reduce((total, line) => total + line[field], 0);

/** The eventIds of the producer's `event sent` lines. */
const sentEventIds = (output: string): Set<string> =>
  new Set(
    output
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes('"event sent"'))
      .map((line) => (JSON.parse(line) as { eventId: string }).eventId),
  );

const hasNewField = (row: Row) =>
  row.discount_code !== null ||
  row.discount_amount !== null ||
  row.tax_amount !== null ||
  row.has_address;

describe('npm run backend:old, backend:new, backend:old again', function () {
  this.timeout(240_000);
  let harness: PipelineHarness;

  before(async () => {
    harness = await createPipelineHarness({ migrate: false }); // backend:* runs the migrations itself
  });
  after(async () => {
    await harness.close();
  });

  async function runBackend(
    shape: 'old' | 'new',
    until: (rows: Row[]) => boolean,
  ): Promise<{ added: Row[]; progress: ProgressLine[]; sent: Set<string> }> {
    const before = await harness.countRows().catch(() => 0);
    const backend = runScript('stack/backend.ts', ['--schema', shape], {
      DATABASE_URL: harness.databaseUrl,
      KAFKA_BROKERS: harness.config.kafkaBrokers.join(','),
      KAFKA_TOPIC: harness.config.topic,
      KAFKA_DLQ_TOPIC: harness.config.dlqTopic,
      KAFKA_GROUP_ID: harness.config.consumerGroupId,
      PRODUCER_INTERVAL_MS: '250',
    });
    try {
      const added = await waitUntil(
        `backend:${shape} to store events`,
        async () => {
          if (backend.child.exitCode !== null)
            throw new Error(`backend:${shape} exited:\n${backend.output()}`);
          const all = await rows(harness.db).catch(() => []);
          const fresh = all.slice(before);
          return fresh.length >= 4 && until(fresh) ? fresh : undefined;
        },
        120_000,
        250,
      );
      backend.child.kill('SIGINT');
      expect(await backend.exited, backend.output()).to.equal(0);
      expect(backend.output()).to.not.match(/"level":"error"/);
      const output = backend.output();
      return { added, progress: progressLines(output), sent: sentEventIds(output) };
    } finally {
      backend.child.kill('SIGKILL');
    }
  }

  it('stores both shapes, with the new fields only on events that sent them', async () => {
    const firstOld = await runBackend('old', () => true);
    expect(firstOld.added.filter(hasNewField)).to.deep.equal([]);

    const fresh = await runBackend(
      'new',
      (added) =>
        added.some((row) => row.has_address) && added.some((row) => row.tax_amount !== null),
    );
    expect(fresh.added.some(hasNewField)).to.equal(true);

    // The producer may send an event after the consumer stopped reading: backend:new's last
    // events are then stored by the next run (a send cut short by the stop may never have been
    // logged as sent). What backend:old itself sends is stored in the original shape.
    const secondOld = await runBackend('old', () => true);
    const leftOver = secondOld.added.filter((row) => fresh.sent.has(row.event_id));
    expect(secondOld.added.filter((row) => secondOld.sent.has(row.event_id)).filter(hasNewField)).to
      .be.empty;

    // What the user reads: every stored event counted in an info line, new-shape ones as such.
    for (const run of [firstOld, fresh, secondOld]) {
      expect(sum(run.progress, 'stored')).to.be.at.least(run.added.length);
      expect(run.progress.every((line) => line.deadLettered === 0 && line.lag >= 0)).to.equal(true);
    }
    expect(sum(firstOld.progress, 'newShape')).to.equal(0);
    expect(sum(fresh.progress, 'newShape')).to.be.at.least(fresh.added.filter(hasNewField).length);
    // New-shape events the second run counts are backend:new's: stored late (leftOver), or read
    // again after a commit the first run's stop cut short (counted by each run that settles them).
    expect(sum(secondOld.progress, 'newShape')).to.be.at.most(fresh.sent.size);
    expect(leftOver.length).to.be.at.most(fresh.sent.size);

    const all = await rows(harness.db);
    expect(new Set(all.map((row) => row.event_id)).size).to.equal(all.length);
  });
});
