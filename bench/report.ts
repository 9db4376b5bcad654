// The benchmark's result: a table on stdout and a JSON file.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export interface BenchResult {
  readonly events: number;
  readonly partitions: number;
  readonly producerEventsPerSecond: number;
  readonly ceilingRowsPerSecond: number;
  readonly endToEndEventsPerSecond: number;
  readonly endToEndExcludingStartupEventsPerSecond: number;
  readonly consumerStartupMs: number;
  readonly consumerPeakRssMb: number;
  readonly latency: {
    readonly rate: number;
    readonly seconds: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly maxMs: number;
  };
}

export const resultFile = join(import.meta.dirname, '..', '.cache', 'bench', 'result.json');

const round = (value: number) => Math.round(value).toLocaleString('en-US');

export async function report(result: BenchResult): Promise<void> {
  const ratio = result.endToEndEventsPerSecond / result.ceilingRowsPerSecond;
  const rows: [string, string][] = [
    [
      'machine',
      `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
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
    ['consumer peak RSS', `${result.consumerPeakRssMb.toFixed(0)} MB`],
    [
      `latency at ${round(result.latency.rate)} events/s for ${result.latency.seconds} s`,
      `p50 ${round(result.latency.p50Ms)} ms, p99 ${round(result.latency.p99Ms)} ms, max ${round(result.latency.maxMs)} ms`,
    ],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  process.stdout.write(
    `\n${rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n')}\n`,
  );
  await mkdir(join(resultFile, '..'), { recursive: true });
  await writeFile(
    resultFile,
    `${JSON.stringify({ ...result, endToEndToCeiling: ratio, at: new Date().toISOString() }, null, 2)}\n`,
  );
  process.stdout.write(`\nJSON: ${resultFile}\n`);
}
