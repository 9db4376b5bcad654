// Command-line options of `npm run bench`.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { KafkaClient } from '../src/runtime/config.ts';
import { settingsNote } from '../src/runtime/parse-args-or-exit.ts';

export interface BenchOptions {
  /** Backlog size: half new-shape events with an address, half original-shape. */
  readonly events: number;
  readonly partitions: number;
  readonly latencyRate: number;
  readonly latencySeconds: number;
  /** Where result.json and the chart go. */
  readonly outDir: string;
  /** If set, the consumer writes a V8 CPU profile (.cpuprofile) here when it stops. */
  readonly consumerCpuProfDir: string | undefined;
  /** The Kafka clients whose consumer drains a backlog of its own, one after the other. */
  readonly kafkaClients: readonly KafkaClient[];
  /** Instead of the usual phases: each client's drain through PLAINTEXT and through SASL_SSL. */
  readonly security: boolean;
}

const kafkaClientChoices: Record<string, readonly KafkaClient[]> = {
  both: ['kafkajs', 'platformatic'],
  kafkajs: ['kafkajs'],
  platformatic: ['platformatic'],
};

export const defaultOutDir = join(import.meta.dirname, '..', '.cache', 'bench');

export const benchUsage = `usage: npm run bench -- [--events N] [--partitions N] [--latency-rate N] [--latency-seconds N]
                        [--kafka-client kafkajs|platformatic|both] [--out DIR]
                        [--consumer-cpu-prof DIR] [--security]

Measures this machine: producer rate, the Postgres write ceiling, end-to-end drain of a backlog,
CPU per event of the consumer, the broker and Postgres during the drain, consumer memory and
latency under a steady rate. Uses scratch topics and databases, dropped after.

  --events N            backlog size (default 200000)
  --partitions N        partitions of the scratch topic (default 6)
  --latency-rate N      events per second in the latency phase (default 1000)
  --latency-seconds N   length of the latency phase (default 30)
  --kafka-client C      the consumer's Kafka client (KAFKA_CLIENT): kafkajs, platformatic, or
                        both (default): each drains the same backlog on a topic of its own, one
                        after the other, and the table compares them
  --out DIR             where result.json and rows-over-time.svg go (default .cache/bench)
  --consumer-cpu-prof DIR
                        profile the consumer's CPU (node --cpu-prof); the .cpuprofile is
                        written to DIR when the consumer stops, after the latency phase
                        (add --latency-seconds 1 to profile mostly the drain)
  --security            instead: what TLS + SASL cost. A private broker (needs Java and openssl)
                        with a PLAINTEXT and a SASL_SSL listener (SCRAM-SHA-512, its password
                        from a file); each client's consumer drains the backlog through each;
                        writes security.json
  -h, --help            show this help

${settingsNote}`;

export function parseBenchOptions(args: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      events: { type: 'string', default: '200000' },
      partitions: { type: 'string', default: '6' },
      'latency-rate': { type: 'string', default: '1000' },
      'latency-seconds': { type: 'string', default: '30' },
      out: { type: 'string', default: defaultOutDir },
      'consumer-cpu-prof': { type: 'string' },
      'kafka-client': { type: 'string', default: 'both' },
      security: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const whole = (name: string, text: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`--${name} must be a positive whole number`);
    return value;
  };
  const kafkaClients = kafkaClientChoices[values['kafka-client']];
  if (kafkaClients === undefined)
    throw new Error('--kafka-client must be kafkajs, platformatic or both');
  return {
    kafkaClients,
    security: values.security,
    events: whole('events', values.events),
    partitions: whole('partitions', values.partitions),
    latencyRate: whole('latency-rate', values['latency-rate']),
    latencySeconds: whole('latency-seconds', values['latency-seconds']),
    outDir: resolve(values.out),
    consumerCpuProfDir:
      values['consumer-cpu-prof'] === undefined ? undefined : resolve(values['consumer-cpu-prof']),
  };
}
