// Options of `npm run replay -- --from <ISO time | partition:offset> [--to <ISO time | partition:offset>]`.
import { parseArgs } from 'node:util';
import { settingsNote } from '../../runtime/parse-args-or-exit.ts';

/** A position in the topic: a point in time (all partitions) or one partition's offset. */
export type Position =
  | { readonly kind: 'time'; readonly epochMs: number }
  | { readonly kind: 'offset'; readonly partition: number; readonly offset: bigint };

export interface ReplayOptions {
  readonly from: Position;
  /** Exclusive; absent: the end of each partition when the replay starts. */
  readonly to?: Position;
}

export const replayUsage = `usage: npm run replay -- --from <ISO time | partition:offset> [--to <ISO time | partition:offset>]

Re-reads a range of KAFKA_TOPIC through validation and the idempotent upsert, under a consumer
group of its own (the live group's offsets never move), and exits when the range is done.

  --from WHERE   where to start: an ISO time with zone (2025-10-08T00:00:00Z, all partitions)
                 or partition:offset (2:1500)
  --to WHERE     where to stop, exclusive (default: the end of each partition at start)
  -h, --help     show this help

${settingsNote}`;

function parsePosition(name: string, text: string): Position {
  const offset = /^(\d+):(\d+)$/.exec(text);
  if (offset)
    return { kind: 'offset', partition: Number(offset[1]), offset: BigInt(offset[2] ?? 0) };
  // An ISO 8601 date-time with its zone, so the same text means the same instant everywhere.
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
    const epochMs = Date.parse(text);
    if (!Number.isNaN(epochMs)) return { kind: 'time', epochMs };
  }
  throw new Error(
    `--${name} must be an ISO time with zone (2025-10-08T00:00:00Z) or partition:offset (2:1500)`,
  );
}

export function parseReplayOptions(args: readonly string[]): ReplayOptions {
  const { values } = parseArgs({
    args: [...args],
    options: { from: { type: 'string' }, to: { type: 'string' } },
    strict: true,
  });
  if (values.from === undefined) throw new Error('--from is required');
  const from = parsePosition('from', values.from);
  const to = values.to === undefined ? undefined : parsePosition('to', values.to);
  if (from.kind === 'offset' && to?.kind === 'offset' && to.partition !== from.partition) {
    throw new Error('--from and --to name different partitions');
  }
  return to === undefined ? { from } : { from, to };
}
