import { expect } from 'chai';
import {
  formatSummary,
  summarizeProfile,
  type CpuProfile,
} from '../../../bench/cpu-profile-summary.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
});

// Ten 1 ms samples: 4 idle, 2 GC, 3 in stringify, 1 in a source function.
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(idle)') },
    { id: 2, callFrame: frame('(garbage collector)') },
    { id: 3, callFrame: frame('stringify') },
    { id: 4, callFrame: frame('writeEvents', 'file:///work/x/src/consumer/write-events.ts', 41) },
  ],
  samples: [1, 1, 3, 2, 3, 4, 1, 2, 3, 1],
  timeDeltas: Array.from({ length: 10 }, () => 1000),
};

describe('summarizeProfile', () => {
  it('splits idle from busy and gives GC and each function its self time', () => {
    const summary = summarizeProfile(profile);
    expect(summary).to.deep.include({ totalMs: 10, idleMs: 4, gcMs: 2, busyMs: 6 });
    expect(summary.top).to.deep.equal([
      { name: 'stringify', selfMs: 3 },
      { name: '(garbage collector)', selfMs: 2 },
      { name: 'writeEvents src/consumer/write-events.ts:42', selfMs: 1 },
    ]);
  });

  it('leaves out the samples before skipMs', () => {
    const summary = summarizeProfile(profile, 5);
    expect(summary).to.deep.include({ totalMs: 6, idleMs: 2, gcMs: 1, busyMs: 4 });
  });

  it('formats GC as a share of busy time', () => {
    expect(formatSummary(summarizeProfile(profile))).to.include('garbage collection 33.3 %');
  });
});

describe('summarizeProfile names', () => {
  it("names a dependency's function by its package path, the service's by src/", () => {
    const named = summarizeProfile({
      nodes: [
        {
          id: 1,
          callFrame: frame('fromString', 'file:///w/node_modules/kafkajs/src/utils/long.js', 72),
        },
        { id: 2, callFrame: frame('', 'file:///w/src/events/decode-event.ts', 9) },
      ],
      samples: [1, 2],
      timeDeltas: [2000, 1000],
    });
    expect(named.top.map((t) => t.name)).to.deep.equal([
      'fromString kafkajs/src/utils/long.js:73',
      '(anonymous) src/events/decode-event.ts:10',
    ]);
  });
});
