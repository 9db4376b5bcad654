// The benchmark's result: a table on stdout, result.json, and the chart of rows over time beside it.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { CpuGroup } from './cpu-sampler.ts';
import { rowsOverTimeSvg, type ChartSeries } from './rows-chart.ts';

export interface BenchResult {
  readonly events: number;
  readonly partitions: number;
  /** os.loadavg() (1, 5, 15 min) when the bench started and when the drain ended: the machine is shared. */
  readonly loadAverage: {
    readonly atStart: readonly number[];
    readonly afterDrain: readonly number[];
  };
  readonly producerEventsPerSecond: number;
  readonly ceilingRowsPerSecond: number;
  readonly endToEndEventsPerSecond: number;
  readonly endToEndExcludingStartupEventsPerSecond: number;
  readonly consumerStartupMs: number;
  readonly cpu: {
    readonly ticksPerSecond: number;
    /** Wall-clock span of the sampling: the drain after start-up. */
    readonly drainSeconds: number;
    readonly microsPerEvent: Record<CpuGroup, number>;
    /** Cores busy on average over the drain (1.0 = one core throughout). */
    readonly coresBusy: Record<CpuGroup, number>;
  };
  readonly consumerPeakRssMb: number;
  readonly latency: {
    readonly rate: number;
    readonly seconds: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly maxMs: number;
  };
}

export const resultFileName = 'result.json';
export const chartFileName = 'rows-over-time.svg';

const round = (value: number) => Math.round(value).toLocaleString('en-US');
const loads = (values: readonly number[]) => values.map((v) => v.toFixed(2)).join(' ');

export function resultTable(result: BenchResult): string {
  const ratio = result.endToEndEventsPerSecond / result.ceilingRowsPerSecond;
  const ratioAfterStartup =
    result.endToEndExcludingStartupEventsPerSecond / result.ceilingRowsPerSecond;
  const { microsPerEvent: us, coresBusy: cores } = result.cpu;
  const cpuRow = (group: CpuGroup) =>
    `${us[group].toFixed(1)} µs/event (${cores[group].toFixed(2)} cores busy)`;
  const rows: [string, string][] = [
    [
      'machine',
      `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    ],
    [
      'load average (1/5/15 min)',
      `${loads(result.loadAverage.atStart)} at start, ${loads(result.loadAverage.afterDrain)} after the drain`,
    ],
    [
      'backlog',
      `${round(result.events)} events (half new-shape with address), ${result.partitions} partitions`,
    ],
    ['producer', `${round(result.producerEventsPerSecond)} events/s`],
    ['ceiling (Postgres, same SQL, no Kafka)', `${round(result.ceilingRowsPerSecond)} events/s`],
    ['end to end (from consumer start)', `${round(result.endToEndEventsPerSecond)} events/s`],
    ['end to end / ceiling', ratio.toFixed(2)],
    [
      'end to end after start-up',
      `${round(result.endToEndExcludingStartupEventsPerSecond)} events/s (start-up ${round(result.consumerStartupMs)} ms)`,
    ],
    ['end to end after start-up / ceiling', ratioAfterStartup.toFixed(2)],
    [
      `CPU during the drain (${result.cpu.drainSeconds.toFixed(1)} s)`,
      `consumer ${us.consumer.toFixed(1)} µs/event, Postgres ${us.postgresAll.toFixed(1)}, broker ${us.broker.toFixed(1)}`,
    ],
    ['  consumer', cpuRow('consumer')],
    ['  Postgres, all processes', cpuRow('postgresAll')],
    ["  Postgres, bench database's + background", cpuRow('postgresBench')],
    ['  broker (java kafka.Kafka)', cpuRow('broker')],
    ['  consumer / Postgres (all)', (us.consumer / us.postgresAll).toFixed(2)],
    ['consumer peak RSS', `${result.consumerPeakRssMb.toFixed(0)} MB`],
    [
      `latency at ${round(result.latency.rate)} events/s for ${result.latency.seconds} s`,
      `p50 ${round(result.latency.p50Ms)} ms, p99 ${round(result.latency.p99Ms)} ms, max ${round(result.latency.maxMs)} ms`,
    ],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}

export async function report(
  result: BenchResult,
  progress: readonly ChartSeries[],
  outDir: string,
): Promise<void> {
  const table = resultTable(result);
  process.stdout.write(`\n${table}\n`);
  await mkdir(outDir, { recursive: true });
  const resultFile = join(outDir, resultFileName);
  const chartFile = join(outDir, chartFileName);
  const endToEndToCeiling = result.endToEndEventsPerSecond / result.ceilingRowsPerSecond;
  await writeFile(
    resultFile,
    `${JSON.stringify({ ...result, endToEndToCeiling, table: table.split('\n'), at: new Date().toISOString() }, null, 2)}\n`,
  );
  const title = `${round(result.events)} events, ${result.partitions} partitions: rows stored over time`;
  await writeFile(chartFile, rowsOverTimeSvg(title, progress));
  process.stdout.write(`\nJSON: ${resultFile}\nchart: ${chartFile}\n`);
}
