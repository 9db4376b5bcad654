// Command-line options of `npm run bench`.
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Backlog size: half new-shape events with an address, half original-shape. */
  readonly events: number;
  readonly partitions: number;
  readonly latencyRate: number;
  readonly latencySeconds: number;
}

export function parseBenchOptions(args: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      events: { type: 'string', default: '200000' },
      partitions: { type: 'string', default: '6' },
      'latency-rate': { type: 'string', default: '1000' },
      'latency-seconds': { type: 'string', default: '30' },
    },
    strict: true,
  });
  const whole = (name: string, text: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`--${name} must be a positive whole number`);
    return value;
  };
  return {
    events: whole('events', values.events),
    partitions: whole('partitions', values.partitions),
    latencyRate: whole('latency-rate', values['latency-rate']),
    latencySeconds: whole('latency-seconds', values['latency-seconds']),
  };
}
