import { expect } from 'chai';
import { coresBusy, microsPerEvent, ticksSpentByGroup } from '../../../bench/cpu-cost.ts';

type Group = 'consumer' | 'postgres';
const groups: readonly Group[] = ['consumer', 'postgres'];

describe('CPU cost arithmetic', () => {
  describe('ticksSpentByGroup', () => {
    it('counts only the ticks since the baseline, summed per group', () => {
      const baseline = new Map([
        ['1@100', 50],
        ['2@100', 1000],
        ['3@100', 2000],
      ]);
      const latest = new Map([
        ['1@100', { group: 'consumer' as const, ticks: 350 }],
        ['2@100', { group: 'postgres' as const, ticks: 1100 }],
        ['3@100', { group: 'postgres' as const, ticks: 2040 }],
      ]);
      expect(ticksSpentByGroup(groups, baseline, latest)).to.deep.equal({
        consumer: 300,
        postgres: 140,
      });
    });

    it('counts all the ticks of a process born after the baseline', () => {
      const latest = new Map([['9@500', { group: 'postgres' as const, ticks: 25 }]]);
      expect(ticksSpentByGroup(groups, new Map(), latest)).to.deep.equal({
        consumer: 0,
        postgres: 25,
      });
    });

    it('reports 0 for a group with no process, never a negative figure', () => {
      const baseline = new Map([['1@100', 60]]);
      const latest = new Map([['1@100', { group: 'consumer' as const, ticks: 60 }]]);
      expect(ticksSpentByGroup(groups, baseline, latest)).to.deep.equal({
        consumer: 0,
        postgres: 0,
      });
    });
  });

  describe('microsPerEvent', () => {
    it('turns ticks into CPU microseconds per event', () => {
      // 680 ticks at 100 Hz = 6.8 s of CPU; over 200 000 events = 34 µs each.
      expect(microsPerEvent(680, 100, 200_000)).to.be.closeTo(34, 1e-9);
      expect(microsPerEvent(0, 100, 10)).to.equal(0);
    });

    it('refuses a zero tick rate or no events instead of dividing by zero', () => {
      expect(() => microsPerEvent(10, 0, 10)).to.throw(RangeError);
      expect(() => microsPerEvent(10, 100, 0)).to.throw(RangeError);
    });
  });

  describe('coresBusy', () => {
    it('is CPU seconds over wall seconds', () => {
      expect(coresBusy(1500, 100, 10)).to.be.closeTo(1.5, 1e-9);
      expect(coresBusy(10, 100, 0)).to.be.NaN;
    });
  });
});
