// The result of `npm run bench -- --security`: per client, the same backlog drained through the
// broker's PLAINTEXT listener and through its SASL_SSL one, and the ratio of the two.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export const listeners = ['plaintext', 'tls+sasl'] as const;
export type Listener = (typeof listeners)[number];

/** One drain: one client's consumer through one listener. */
export interface SecuredDrain {
  readonly kafkaClient: string;
  readonly listener: Listener;
  /** From the consumer's start to the last event stored. */
  readonly eventsPerSecond: number;
  /** From the first stored batch to the last. */
  readonly eventsPerSecondAfterStartup: number;
  readonly consumerStartupMs: number;
  /** The consumer process's CPU per event during the drain. */
  readonly consumerMicrosPerEvent: number;
}

export interface SecurityResult {
  readonly events: number;
  readonly partitions: number;
  readonly saslMechanism: string;
  readonly loadAverage: { readonly atStart: readonly number[]; readonly atEnd: readonly number[] };
  /** In the order they ran. */
  readonly drains: readonly SecuredDrain[];
}

export const securityResultFileName = 'security.json';

const round = (value: number) => Math.round(value).toLocaleString('en-US');
const loads = (values: readonly number[]) => values.map((v) => v.toFixed(2)).join(' ');

/** TLS+SASL over plaintext for one client: below 1 is the price of the security. */
export function securityRatios(
  drains: readonly SecuredDrain[],
  kafkaClient: string,
): { afterStartup: number; fromStart: number; consumerCpu: number } | undefined {
  const plain = drains.find((d) => d.kafkaClient === kafkaClient && d.listener === 'plaintext');
  const secured = drains.find((d) => d.kafkaClient === kafkaClient && d.listener === 'tls+sasl');
  if (plain === undefined || secured === undefined) return undefined;
  return {
    afterStartup: secured.eventsPerSecondAfterStartup / plain.eventsPerSecondAfterStartup,
    fromStart: secured.eventsPerSecond / plain.eventsPerSecond,
    consumerCpu: secured.consumerMicrosPerEvent / plain.consumerMicrosPerEvent,
  };
}

export function securityTable(result: SecurityResult): string {
  const clients = [...new Set(result.drains.map(({ kafkaClient }) => kafkaClient))];
  const rows: [string, string][] = [
    [
      'machine',
      `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    ],
    [
      'load average (1/5/15 min)',
      `${loads(result.loadAverage.atStart)} at start, ${loads(result.loadAverage.atEnd)} at the end`,
    ],
    [
      'backlog',
      `${round(result.events)} events per drain, ${result.partitions} partitions, one broker with both listeners`,
    ],
    ...result.drains.map((drain): [string, string] => [
      `${drain.kafkaClient} through ${drain.listener === 'plaintext' ? 'PLAINTEXT' : `SASL_SSL (${result.saslMechanism})`}`,
      `${round(drain.eventsPerSecondAfterStartup)} events/s after start-up (${round(drain.eventsPerSecond)} from start, start-up ${round(drain.consumerStartupMs)} ms), consumer ${drain.consumerMicrosPerEvent.toFixed(1)} µs/event`,
    ]),
    ...clients.flatMap((client): [string, string][] => {
      const ratio = securityRatios(result.drains, client);
      return ratio === undefined
        ? []
        : [
            [
              `${client}: TLS+SASL / plaintext`,
              `${ratio.afterStartup.toFixed(2)} after start-up, ${ratio.fromStart.toFixed(2)} from start; consumer CPU per event ×${ratio.consumerCpu.toFixed(2)}`,
            ],
          ];
    }),
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}

export async function reportSecurity(result: SecurityResult, outDir: string): Promise<void> {
  const table = securityTable(result);
  process.stdout.write(`\n${table}\n`);
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, securityResultFileName);
  await writeFile(
    file,
    `${JSON.stringify({ ...result, table: table.split('\n'), at: new Date().toISOString() }, null, 2)}\n`,
  );
  process.stdout.write(`\nJSON: ${file}\n`);
}
