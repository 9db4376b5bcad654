// Replay and redrive share the range command's skeleton: when the client reports a record batch it
// cannot read, the command handles the messages before it, writes one error line naming topic,
// partition, offset and reason, and exits non-zero instead of waiting for a range it can never
// finish. Run as a process over a scripted port (the adapters' side is tested on the real broker).
import { expect } from 'chai';
import { runScript } from '../../support/run-script.ts';
import { migratedDatabasePerTest } from '../../support/scratch-database.ts';

const reason = 'lz4 frame checksum does not match';

describe('a range command meeting a record batch the client cannot read', function () {
  this.timeout(60_000);
  const scratch = migratedDatabasePerTest();

  it('handles the messages before it, writes one error line and exits 1', async () => {
    const run = runScript('test/support/range-command-over-script.ts', [], {
      DATABASE_URL: scratch.url,
      KAFKA_TOPIC: 'replayed',
      LOG_FORMAT: 'json',
    });

    const code = await run.exited;

    expect(code, run.output()).to.equal(1);
    const errorLines = run
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line['level'] === 'error');
    expect(errorLines).to.have.length(1);
    expect(errorLines[0]).to.deep.include({
      code: 'KAFKA_BATCH_UNREADABLE',
      topic: 'replayed',
      partition: 0,
      offset: '2',
      reason,
    });
    const rows = await scratch.db('product_events').pluck('event_id').orderBy('event_id');
    expect(rows, 'the messages before it were handled').to.deep.equal(['evt_r0', 'evt_r1']);
  });
});
