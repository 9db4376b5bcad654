// Command-line options of `npm run producer`.
import { parseArgs } from 'node:util';
import { settingsNote } from '../../runtime/parse-args-or-exit.ts';
import type { EventShape } from './generate-event.ts';

interface ProducerOptions {
  readonly shape: EventShape;
  /** Bulk mode: send this many events, then exit. Absent: one event per interval until stopped. */
  readonly count?: number;
  /** Bulk mode: events per second; absent means as fast as the broker takes them. */
  readonly rate?: number;
}

export const producerUsage = `usage: npm run producer -- [--schema old|new] [--count N [--rate EVENTS_PER_SECOND]]

Sends product.purchased events to KAFKA_TOPIC: one every PRODUCER_INTERVAL_MS until stopped
(Ctrl+C), or with --count a bulk load, then exits.

  --schema old|new   event shape: old (the original fields, default) or new (adds discount,
                     tax and a shipping address)
  --count N          send N events as fast as allowed, then exit
  --rate N           with --count: at most N events per second
  -h, --help         show this help

${settingsNote}`;

const positive = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
};

export function parseProducerOptions(args: readonly string[]): ProducerOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      schema: { type: 'string', default: 'old' },
      count: { type: 'string' },
      rate: { type: 'string' },
    },
    strict: true,
  });
  if (values.schema !== 'old' && values.schema !== 'new') {
    throw new Error('--schema must be "old" or "new"');
  }
  const count = positive('count', values.count);
  if (count !== undefined && !Number.isInteger(count))
    throw new Error('--count must be a whole number');
  const rate = positive('rate', values.rate);
  if (rate !== undefined && count === undefined) throw new Error('--rate goes with --count');
  return {
    shape: values.schema,
    ...(count === undefined ? {} : { count }),
    ...(rate === undefined ? {} : { rate }),
  };
}
