// Samples the CPU time of the processes of the pipeline while the consumer drains the backlog:
// the consumer (its pid), the broker (java processes running kafka.Kafka) and Postgres (every
// process named postgres, and separately those serving the bench's database plus the server's own
// background processes, because other work on a shared server lands in "all").
import { ticksSpentByGroup, type SeenProcess } from './cpu-cost.ts';
import { listPids, readCommandLine, readProcStat } from './proc-stat.ts';

export const cpuGroups = ['consumer', 'broker', 'postgresAll', 'postgresBench'] as const;
export type CpuGroup = (typeof cpuGroups)[number];

export interface CpuSampler {
  /** Sets the baseline: ticks spent before now do not count. */
  begin(): void;
  /** Records every watched process's ticks so far; call often, so exiting processes are counted. */
  sample(): void;
  /** Ticks spent per group since begin(). */
  spent(): Record<CpuGroup, number>;
}

export function createCpuSampler(consumerPid: number, benchDatabase: string): CpuSampler {
  const latest = new Map<string, SeenProcess<CpuGroup>>();
  let baseline = new Map<string, number>();
  // The classification of a process never changes (pid + start time name one process), and
  // reading its command line on every sample would cost the bench more than the sampling itself.
  const groupsOf = new Map<string, readonly CpuGroup[]>();

  const classify = (pid: number, comm: string): readonly CpuGroup[] => {
    if (pid === consumerPid) return ['consumer'];
    if (comm === 'java') return readCommandLine(pid).includes('kafka.Kafka') ? ['broker'] : [];
    if (comm !== 'postgres') return [];
    const title = readCommandLine(pid);
    // A backend's title is "postgres: <cluster>: <user> <database> <client> <state>"; the
    // postmaster and background processes (WAL writer, checkpointer) name no client.
    const servesBench = title.split(' ').includes(benchDatabase);
    const isBackground = !/\(\d+\)|\[local\]/.test(title);
    return servesBench || isBackground ? ['postgresAll', 'postgresBench'] : ['postgresAll'];
  };

  const sample = () => {
    for (const pid of listPids()) {
      const stat = readProcStat(pid);
      if (stat === undefined) continue;
      const key = `${pid}@${stat.startTime}`;
      let groups = groupsOf.get(key);
      if (groups === undefined) groupsOf.set(key, (groups = classify(pid, stat.comm)));
      for (const group of groups) latest.set(`${key}/${group}`, { group, ticks: stat.cpuTicks });
    }
  };

  return {
    begin() {
      sample();
      baseline = new Map([...latest].map(([key, seen]) => [key, seen.ticks]));
    },
    sample,
    spent() {
      sample();
      return ticksSpentByGroup(cpuGroups, baseline, latest);
    },
  };
}
