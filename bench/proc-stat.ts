// Per-process CPU time from Linux's /proc: the parser is pure (tested); the readers are thin.
// utime + stime of /proc/<pid>/stat cover all threads of the process (V8's GC and compiler
// threads, the JVM's), in clock ticks of `getconf CLK_TCK`. The readers are synchronous: /proc is
// made by the kernel on read and never waits on a disk, and a sample of every process's stat cost
// the bench 34 ms of CPU through fs/promises (four thread-pool round trips per file) against 1-2 ms
// read in place, four times a second during a drain it measures.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  /** Clock ticks since boot when the process started: with the pid, names one process even if the pid is reused. */
  readonly startTime: number;
  /** utime + stime: CPU in user and kernel mode, in clock ticks. */
  readonly cpuTicks: number;
}

/** Parses the one line of /proc/<pid>/stat. comm may hold spaces and parentheses, so the fields are
 * counted from the last ')'. */
export function parseProcStat(line: string): ProcStat {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open === -1 || close < open) throw new Error('not a /proc/<pid>/stat line');
  const pid = Number(line.slice(0, open).trim());
  // After ')': field 3 (state) is index 0, so field n is index n - 3.
  const fields = line
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const field = (n: number) => {
    const value = Number(fields[n - 3]);
    if (!Number.isSafeInteger(value))
      throw new Error(`/proc/<pid>/stat field ${n} is not a number`);
    return value;
  };
  if (!Number.isSafeInteger(pid)) throw new Error('/proc/<pid>/stat has no pid');
  return {
    pid,
    comm: line.slice(open + 1, close),
    startTime: field(22),
    cpuTicks: field(14) + field(15),
  };
}

/** Clock ticks per second of the utime/stime fields (100 on nearly every Linux). */
export function clockTicksPerSecond(): number {
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  if (!Number.isInteger(ticks) || ticks <= 0) throw new Error('getconf CLK_TCK gave no number');
  return ticks;
}

/** The process's stat, or undefined if it has exited since it was listed. */
export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The command line as `ps` shows it (Postgres rewrites it to name the database of a backend). */
export function readCommandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

export function listPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}
