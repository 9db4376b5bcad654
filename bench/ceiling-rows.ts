// The table's rows for the two ceilings (measure-ceiling.ts, measure-copy-ceiling.ts) and the
// drain as a fraction of each, figures of the same run.

/** What these rows read of the bench's result (report.ts's BenchResult has it). */
interface Ceilings {
  readonly ceilingRowsPerSecond: number;
  readonly copyCeilingRowsPerSecond: number;
}

const round = (value: number) => Math.round(value).toLocaleString('en-US');

export function ceilingRows(result: Ceilings): [string, string][] {
  return [
    [
      'ceiling: the write path (COPY + upsert, no Kafka)',
      `${round(result.ceilingRowsPerSecond)} events/s`,
    ],
    [
      'ceiling: plain COPY into two plain tables',
      `${round(result.copyCeilingRowsPerSecond)} events/s`,
    ],
    [
      'write-path ceiling / plain COPY ceiling',
      (result.ceilingRowsPerSecond / result.copyCeilingRowsPerSecond).toFixed(2),
    ],
  ];
}

export function drainAgainstCopyCeiling(
  result: Ceilings,
  client: { readonly endToEndExcludingStartupEventsPerSecond: number },
): [string, string][] {
  return [
    [
      '  end to end after start-up / plain COPY ceiling',
      (client.endToEndExcludingStartupEventsPerSecond / result.copyCeilingRowsPerSecond).toFixed(2),
    ],
  ];
}
