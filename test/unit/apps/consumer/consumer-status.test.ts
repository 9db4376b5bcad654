import { expect } from 'chai';
import { createConsumerStatusTracker } from '../../../../src/apps/consumer/consumer-status.ts';

describe('the consumer status tracker', () => {
  const stuckAfterMs = 3_000;
  let now = 1_000_000;
  const tracker = () =>
    createConsumerStatusTracker({ topic: 'events', stuckAfterMs, now: () => now });

  it('is out of the group with no partitions until it joins', () => {
    const status = tracker().snapshot();
    expect(status).to.deep.include({ inGroup: false, partitions: [], lag: 0, stuck: false });
  });

  it('holds the partitions of its last join, sorted, and forgets the lag of partitions it lost', () => {
    const status = tracker();
    status.joined([2, 0, 1]);
    status.offsetsSeen(2, { highWatermark: 50n, position: 10n });
    status.offsetsSeen(1, { highWatermark: 7n, position: 5n });
    status.joined([0, 1]);
    status.offsetsSeen(2, { highWatermark: 90n, position: 10n }); // a reading late for a lost one
    expect(status.snapshot()).to.deep.include({
      inGroup: true,
      partitions: [0, 1],
      lag: 2,
      lagByPartition: [{ partition: 0 }, { partition: 1, lag: 2 }],
    });
    status.left();
    expect(status.snapshot().inGroup).to.equal(false);
  });

  it('has a lag for a partition from the broker offsets alone, nothing stored there', () => {
    const status = tracker();
    status.joined([0]);
    status.offsetsSeen(0, { highWatermark: 11n, position: 0n });
    expect(status.snapshot().lagByPartition).to.deep.equal([{ partition: 0, lag: 11 }]);
  });

  it('is stuck once a partition has been behind without progress for the stuck period, and names it', () => {
    const status = tracker();
    status.joined([0, 1]);
    status.offsetsSeen(0, { highWatermark: 11n, position: 0n });
    status.offsetsSeen(1, { highWatermark: 4n, position: 4n });
    const since = new Date(now).toISOString();
    now += stuckAfterMs - 1;
    expect(status.snapshot().stuck, 'not yet').to.equal(false);
    now += 1;
    status.offsetsSeen(0, { highWatermark: 11n, position: 0n }); // read again: still no progress
    expect(status.snapshot()).to.deep.include({
      stuck: true,
      stuckPartitions: [{ topic: 'events', partition: 0, lag: 11, since }],
    });
  });

  it('starts the clock again when the position moves, and stops it once caught up', () => {
    const status = tracker();
    status.joined([0]);
    status.offsetsSeen(0, { highWatermark: 100n, position: 0n });
    now += stuckAfterMs - 1;
    status.offsetsSeen(0, { position: 50n });
    now += stuckAfterMs - 1;
    expect(status.snapshot().stuck, 'moved within the period').to.equal(false);
    now += 1;
    expect(status.snapshot().stuck).to.equal(true);
    status.offsetsSeen(0, { position: 100n });
    expect(status.snapshot()).to.deep.include({ stuck: false, lag: 0 });
    now += 10 * stuckAfterMs;
    expect(status.snapshot().stuck, 'idle with nothing to do').to.equal(false);
    status.offsetsSeen(0, { highWatermark: 101n });
    now += stuckAfterMs - 1;
    expect(status.snapshot().stuck, 'newly behind: the idle time does not count').to.equal(false);
  });

  it('keeps the clock of a partition a rejoin keeps: rebalances cannot hide a stuck partition', () => {
    const status = tracker();
    status.joined([0, 1]);
    status.offsetsSeen(0, { highWatermark: 11n, position: 0n });
    for (let rejoin = 0; rejoin < 4; rejoin += 1) {
      now += stuckAfterMs / 4;
      status.left();
      status.joined([0]);
      status.offsetsSeen(0, { highWatermark: 11n, position: 0n });
    }
    expect(status.snapshot().stuckPartitions.map(({ partition }) => partition)).to.deep.equal([0]);
  });

  it('starts a new clock for a partition assigned again after it was lost', () => {
    const status = tracker();
    status.joined([0]);
    status.offsetsSeen(0, { highWatermark: 11n, position: 0n });
    now += stuckAfterMs;
    status.joined([1]);
    status.joined([0, 1]);
    status.offsetsSeen(0, { highWatermark: 11n, position: 0n });
    expect(status.snapshot().stuck).to.equal(false);
  });

  it('never lets an older reading move offsets back', () => {
    const status = tracker();
    status.joined([0]);
    status.offsetsSeen(0, { highWatermark: 20n, position: 15n });
    status.offsetsSeen(0, { highWatermark: 18n, position: 10n });
    expect(status.snapshot().lag).to.equal(5);
  });

  it('passes records without messages once the position reaches them, in either order', () => {
    const status = tracker();
    status.joined([0, 1]);
    // A transaction's last message at 4, its commit marker at 5.
    status.offsetsSeen(0, { highWatermark: 6n, position: 0n });
    status.recordsWithoutMessages(0, 5n, 6n);
    expect(status.snapshot().lagByPartition[0], 'not reached yet').to.deep.include({ lag: 6 });
    status.offsetsSeen(0, { position: 5n });
    expect(status.snapshot().lagByPartition[0]).to.deep.include({ lag: 0 });
    now += 10 * stuckAfterMs;
    expect(status.snapshot().stuck, 'idle after the marker').to.equal(false);

    status.offsetsSeen(1, { highWatermark: 12n, position: 10n });
    status.recordsWithoutMessages(1, 10n, 11n);
    status.recordsWithoutMessages(1, 11n, 12n);
    expect(status.snapshot().lagByPartition[1], 'ranges one after another').to.deep.include({
      lag: 0,
    });
  });

  it('keeps the partitions stopped at an unreadable batch until restart, a rejoin included', () => {
    const status = tracker();
    status.joined([0, 1, 2]);
    expect(status.partitionStopped(2, '40')).to.equal(true);
    expect(status.partitionStopped(0, '7')).to.equal(true);
    expect(status.partitionStopped(2, '40'), 'the same stop again').to.equal(false);
    status.joined([1]);
    expect(status.snapshot().stoppedPartitions).to.deep.equal([
      { partition: 0, offset: '7' },
      { partition: 2, offset: '40' },
    ]);
  });
});
