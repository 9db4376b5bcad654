import { expect } from 'chai';
import { failureRecorder } from '../../support/failure-recorder.ts';

const fed = (lines: readonly string[]) => {
  const recorder = failureRecorder();
  for (const line of lines) recorder.see(line);
  return recorder.failures();
};

describe('failureRecorder (what run-suites prints again when a suite failed)', () => {
  it("keeps mocha's failing block, not the passing lines before it", () => {
    const failures = fed([
      '  ✔ stores an event (12ms)',
      '  2 passing (3s)',
      '  1 failing',
      '',
      '  1) consumer',
      '       stores an event:',
      '     AssertionError: expected 1 to equal 2',
    ]);
    expect(failures).to.deep.equal([
      '  1 failing',
      '',
      '  1) consumer',
      '       stores an event:',
      '     AssertionError: expected 1 to equal 2',
    ]);
  });

  it("keeps a nested suite's failing block out of the lines of suites beside it", () => {
    const failures = fed([
      '[faults     ]   1 failing',
      '[integration]   ✔ replays a range',
      '[faults     ]   1) survives a restart:',
      '[integration]   ✔ redrives letters',
      '[faults     ]      Error: Timeout of 120000ms exceeded',
      'faults: FAILED (exit 1) in 300 s',
      'integration: passed in 310 s',
    ]);
    expect(failures).to.deep.equal([
      '[faults     ]   1 failing',
      '[faults     ]   1) survives a restart:',
      '[faults     ]      Error: Timeout of 120000ms exceeded',
      'faults: FAILED (exit 1) in 300 s',
    ]);
  });

  it('shows the last lines of a nested suite that failed without a failing block (a crash)', () => {
    const failures = fed([
      '[unit] 3 passing',
      '[lint] ✖ 1 problem',
      '[lint] src/a.ts: error no-unused-vars',
      'unit: passed in 10 s',
      'lint: FAILED (exit 1) in 20 s',
      '---------|---------|',
      'All files |   99.1 |',
    ]);
    expect(failures).to.deep.equal([
      '[lint] ✖ 1 problem',
      '[lint] src/a.ts: error no-unused-vars',
      'lint: FAILED (exit 1) in 20 s',
    ]);
  });

  it('falls back to the last lines when nothing says why', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    const failures = fed(lines);
    expect(failures).to.have.length(40);
    expect(failures.at(-1)).to.equal('line 99');
  });

  it('stops keeping after its bound, however long the failures', () => {
    const lines = Array.from({ length: 20 }, () => [
      '  1 failing',
      ...Array.from({ length: 90 }, (_, i) => `  stack ${i}`),
    ]).flat();
    expect(fed(lines)).to.have.length(300);
  });
});
