// What one consumer process says about itself: its ops port (from its start line), its counters
// (from /metrics), and the restarts of its Kafka client (from its log lines).
import type { RunningScript } from '../../support/run-script.ts';
import { waitUntil } from '../../support/wait-until.ts';

export interface ConsumerCounters {
  readonly consumed: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  readonly skipped: number;
}

/** The port `consumer started` names (the process listens on a free one, HTTP_PORT=0). */
export function opsPort(script: RunningScript): Promise<number> {
  return waitUntil(
    'the consumer to start',
    () => {
      if (script.child.exitCode !== null) throw new Error(`consumer exited: ${script.output()}`);
      const port = /"httpPort":(\d+)/.exec(script.output())?.[1];
      return Promise.resolve(port === undefined ? undefined : Number(port));
    },
    180_000,
    200,
  );
}

const sum = (text: string, name: string, labels: RegExp = /.*/) =>
  text
    .split('\n')
    .filter((line) => line.startsWith(name) && labels.test(line))
    .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);

export async function scrapeCounters(port: number): Promise<ConsumerCounters> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await response.text();
  const outcome = (name: string) =>
    sum(text, 'product_events_outcomes_total{', new RegExp(`outcome="${name}"`));
  return {
    consumed: sum(text, 'product_events_consumed_total '),
    stored: outcome('stored'),
    duplicates: outcome('duplicate'),
    deadLettered: outcome('dead_lettered'),
    skipped: outcome('skipped'),
  };
}

/** How many lines of the process's output match `pattern`. */
const linesMatching = (script: RunningScript, pattern: RegExp): number =>
  script
    .output()
    .split('\n')
    .filter((line) => pattern.test(line)).length;

/**
 * How often the process's Kafka client crashed and restarted itself: kafkajs says `Restarting the
 * consumer`; the service's own line for either client (run-consumer.ts) says `consumer restarting
 * as a new group member`.
 */
export const internalRestarts = (script: RunningScript): number =>
  linesMatching(script, /Restarting the consumer|consumer restarting as a new group member/i);

/** How often the process read on from a new stream after a passing failure, its member kept. */
export const readingResumed = (script: RunningScript): number =>
  linesMatching(script, /consumer reading resumed from the committed offsets/);
