import { expect } from 'chai';
import {
  createConsumerStatusTracker,
  stuckAfterMs,
} from '../../../../src/apps/consumer/consumer-status.ts';

describe('the consumer status tracker', () => {
  let now = 1_000_000;
  const clock = () => now;

  it('is out of the group with no partitions until it joins', () => {
    const status = createConsumerStatusTracker(clock).snapshot();
    expect(status).to.deep.include({ inGroup: false, partitions: [], lag: 0, stuck: false });
  });

  it('holds the partitions of its last join, sorted, and forgets the lag of partitions it lost', () => {
    const tracker = createConsumerStatusTracker(clock);
    tracker.joined([2, 0, 1]);
    tracker.batchStored(2, 40);
    tracker.batchStored(1, 2);
    tracker.joined([0, 1]);
    expect(tracker.snapshot()).to.deep.include({ inGroup: true, partitions: [0, 1], lag: 2 });
    tracker.left();
    expect(tracker.snapshot().inGroup).to.equal(false);
  });

  it('is stuck when it is behind and has stored nothing for a minute', () => {
    const tracker = createConsumerStatusTracker(clock);
    tracker.joined([0]);
    tracker.batchStored(0, 500);
    now += stuckAfterMs + 1;
    expect(tracker.snapshot().stuck).to.equal(true);
    tracker.batchStored(0, 0);
    expect(tracker.snapshot().stuck).to.equal(false);
  });

  it('is not stuck when idle with nothing to do', () => {
    const tracker = createConsumerStatusTracker(clock);
    tracker.joined([0]);
    tracker.batchStored(0, 0);
    now += 10 * stuckAfterMs;
    expect(tracker.snapshot().stuck).to.equal(false);
  });

  it('keeps the partitions stopped at an unreadable batch until restart, a rejoin included', () => {
    const tracker = createConsumerStatusTracker(clock);
    tracker.joined([0, 1, 2]);
    expect(tracker.partitionStopped(2, '40')).to.equal(true);
    expect(tracker.partitionStopped(0, '7')).to.equal(true);
    expect(tracker.partitionStopped(2, '40'), 'the same stop again').to.equal(false);
    tracker.joined([1]);
    expect(tracker.snapshot().stoppedPartitions).to.deep.equal([
      { partition: 0, offset: '7' },
      { partition: 2, offset: '40' },
    ]);
  });
});
