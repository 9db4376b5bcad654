// The benchmark's result: a table on stdout, result.json, and the chart of rows over time beside it.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ceilingRows, drainAgainstCopyCeiling } from './ceiling-rows.ts';
import type { CpuGroup } from './cpu-sampler.ts';
import { rowsOverTimeSvg, type ChartSeries } from './rows-chart.ts';

/** What one Kafka client's consumer did with the backlog. */
export interface ClientResult {
  readonly kafkaClient: string;
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

export interface BenchResult {
  readonly events: number;
  readonly partitions: number;
  /** os.loadavg() (1, 5, 15 min) when the bench started and when the last drain ended: the
   * machine is shared. */
  readonly loadAverage: {
    readonly atStart: readonly number[];
    readonly afterDrain: readonly number[];
  };
  readonly producerEventsPerSecond: number;
  /** The write path's ceiling (measure-ceiling.ts). */
  readonly ceilingRowsPerSecond: number;
  /** The plain COPY ceiling (measure-copy-ceiling.ts). */
  readonly copyCeilingRowsPerSecond: number;
  /** One per client, in the order they ran. */
  readonly clients: readonly ClientResult[];
}

export const resultFileName = 'result.json';
export const chartFileName = 'rows-over-time.svg';

const round = (value: number) => Math.round(value).toLocaleString('en-US');
const loads = (values: readonly number[]) => values.map((v) => v.toFixed(2)).join(' ');

function clientRows(result: BenchResult, client: ClientResult): [string, string][] {
  const { microsPerEvent: us, coresBusy: cores } = client.cpu;
  const cpuRow = (group: CpuGroup) =>
    `${us[group].toFixed(1)} µs/event (${cores[group].toFixed(2)} cores busy)`;
  return [
    [
      `${client.kafkaClient}: end to end (from consumer start)`,
      `${round(client.endToEndEventsPerSecond)} events/s`,
    ],
    [
      '  end to end / ceiling',
      (client.endToEndEventsPerSecond / result.ceilingRowsPerSecond).toFixed(2),
    ],
    [
      '  end to end after start-up',
      `${round(client.endToEndExcludingStartupEventsPerSecond)} events/s (start-up ${round(client.consumerStartupMs)} ms)`,
    ],
    [
      '  end to end after start-up / ceiling',
      (client.endToEndExcludingStartupEventsPerSecond / result.ceilingRowsPerSecond).toFixed(2),
    ],
    ...drainAgainstCopyCeiling(result, client),
    [
      `  CPU during the drain (${client.cpu.drainSeconds.toFixed(1)} s)`,
      `consumer ${us.consumer.toFixed(1)} µs/event, Postgres ${us.postgresAll.toFixed(1)}, broker ${us.broker.toFixed(1)}`,
    ],
    ['    consumer', cpuRow('consumer')],
    ['    Postgres, all processes', cpuRow('postgresAll')],
    ["    Postgres, bench database's + background", cpuRow('postgresBench')],
    ['    broker (java kafka.Kafka)', cpuRow('broker')],
    ['    consumer / Postgres (all)', (us.consumer / us.postgresAll).toFixed(2)],
    ['  consumer peak RSS', `${client.consumerPeakRssMb.toFixed(0)} MB`],
    [
      `  latency at ${round(client.latency.rate)} events/s for ${client.latency.seconds} s`,
      `p50 ${round(client.latency.p50Ms)} ms, p99 ${round(client.latency.p99Ms)} ms, max ${round(client.latency.maxMs)} ms`,
    ],
  ];
}

/** The second client against the first, figures of the same run. */
function comparisonRows(first: ClientResult, second: ClientResult): [string, string][] {
  const name = `${second.kafkaClient} / ${first.kafkaClient}`;
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  return [
    [
      `${name}: end to end after start-up`,
      ratio(
        second.endToEndExcludingStartupEventsPerSecond,
        first.endToEndExcludingStartupEventsPerSecond,
      ),
    ],
    [
      `${name}: consumer CPU per event`,
      ratio(second.cpu.microsPerEvent.consumer, first.cpu.microsPerEvent.consumer),
    ],
    [`${name}: consumer peak RSS`, ratio(second.consumerPeakRssMb, first.consumerPeakRssMb)],
    [`${name}: latency p99`, ratio(second.latency.p99Ms, first.latency.p99Ms)],
  ];
}

export function resultTable(result: BenchResult): string {
  const [first, second] = result.clients;
  const rows: [string, string][] = [
    [
      'machine',
      `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    ],
    [
      'load average (1/5/15 min)',
      `${loads(result.loadAverage.atStart)} at start, ${loads(result.loadAverage.afterDrain)} after the drains`,
    ],
    [
      'backlog',
      `${round(result.events)} events (half new-shape with address), ${result.partitions} partitions`,
    ],
    ['producer', `${round(result.producerEventsPerSecond)} events/s`],
    ...ceilingRows(result),
    ...result.clients.flatMap((client) => clientRows(result, client)),
    ...(first !== undefined && second !== undefined ? comparisonRows(first, second) : []),
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
  await writeFile(
    resultFile,
    `${JSON.stringify({ ...result, table: table.split('\n'), at: new Date().toISOString() }, null, 2)}\n`,
  );
  const title = `${round(result.events)} events, ${result.partitions} partitions: rows stored over time`;
  await writeFile(chartFile, rowsOverTimeSvg(title, progress));
  process.stdout.write(`\nJSON: ${resultFile}\nchart: ${chartFile}\n`);
}
