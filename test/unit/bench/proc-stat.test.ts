import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseProcStat } from '../../../bench/proc-stat.ts';

// A real line's shape (Linux proc(5)): utime is field 14, stime 15, starttime 22.
const fields = (comm: string, utime: number, stime: number, startTime: number) =>
  [
    '4242',
    `(${comm})`,
    'S', // 3 state
    '1', // 4 ppid
    '4242', // 5 pgrp
    '4242', // 6 session
    '0', // 7 tty_nr
    '-1', // 8 tpgid
    '4194560', // 9 flags
    '1200', // 10 minflt
    '0', // 11 cminflt
    '3', // 12 majflt
    '0', // 13 cmajflt
    String(utime), // 14
    String(stime), // 15
    '7', // 16 cutime: children's time, not this process's
    '9', // 17 cstime
    '20', // 18 priority
    '0', // 19 nice
    '11', // 20 num_threads
    '0', // 21 itrealvalue
    String(startTime), // 22
    '1234567', // 23 vsize
    '890', // 24 rss
  ].join(' ');

describe('parseProcStat', () => {
  it('reads pid, comm, start time and utime + stime', () => {
    expect(parseProcStat(`${fields('node', 1500, 320, 987654)}\n`)).to.deep.equal({
      pid: 4242,
      comm: 'node',
      startTime: 987654,
      cpuTicks: 1820,
    });
  });

  it('counts fields from the last parenthesis, so a comm with spaces and parentheses cannot shift them', () => {
    const stat = parseProcStat(fields('we(ird) name) 2', 10, 5, 77));
    expect(stat.comm).to.equal('we(ird) name) 2');
    expect(stat.cpuTicks).to.equal(15);
    expect(stat.startTime).to.equal(77);
  });

  it('refuses a line that is not a stat line', () => {
    expect(() => parseProcStat('')).to.throw(/not a \/proc/);
    expect(() => parseProcStat('12 (x) S 1')).to.throw(/field \d+ is not a number/);
  });

  it("parses this process's own stat", function () {
    if (process.platform !== 'linux') this.skip();
    const stat = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
    expect(stat.pid).to.equal(process.pid);
    expect(stat.cpuTicks).to.be.at.least(0);
  });
});
