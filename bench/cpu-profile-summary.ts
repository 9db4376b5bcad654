// `node bench/cpu-profile-summary.ts FILE.cpuprofile`: where a V8 CPU profile (node --cpu-prof, or
// `npm run bench -- --consumer-cpu-prof DIR`) spends its time: idle, garbage collection, and the
// functions with the most self time. The summary is pure (tested); the entrypoint reads and prints.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseArgsOrExit } from '../src/runtime/parse-args-or-exit.ts';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

export interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: CallFrame }[];
  readonly samples: readonly number[];
  /** Microseconds between one sample and the one before. */
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly idleMs: number;
  readonly gcMs: number;
  /** Busy: all but idle. GC share is of busy time. */
  readonly busyMs: number;
  readonly top: readonly { readonly name: string; readonly selfMs: number }[];
}

const where = ({ functionName, url, lineNumber }: CallFrame) => {
  const file = url.replace(/^file:\/\//, '');
  // A package's file by its package ("kafkajs/src/..."), the service's own from src/ or bench/.
  const short = file.includes('/node_modules/')
    ? file.replace(/^.*\/node_modules\//, '')
    : file.replace(/^.*\/(src|bench|test)\//, '$1/');
  const name = functionName || '(anonymous)';
  return short === '' ? name : `${name} ${short}:${lineNumber + 1}`;
};

/** Self time per function over the samples from `skipMs` on (to leave out start-up). */
export function summarizeProfile(profile: CpuProfile, skipMs = 0, topN = 15): ProfileSummary {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const selfUs = new Map<string, number>();
  let elapsedUs = 0;
  let totalUs = 0;
  profile.samples.forEach((nodeId, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    elapsedUs += delta;
    if (elapsedUs < skipMs * 1000) return;
    const frame = frames.get(nodeId);
    if (frame === undefined) return;
    const name = where(frame);
    selfUs.set(name, (selfUs.get(name) ?? 0) + delta);
    totalUs += delta;
  });
  const ms = (us: number) => us / 1000;
  const idleUs = selfUs.get('(idle)') ?? 0;
  const gcUs = selfUs.get('(garbage collector)') ?? 0;
  const top = [...selfUs]
    .filter(([name]) => name !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([name, us]) => ({ name, selfMs: ms(us) }));
  return {
    totalMs: ms(totalUs),
    idleMs: ms(idleUs),
    gcMs: ms(gcUs),
    busyMs: ms(totalUs - idleUs),
    top,
  };
}

export function formatSummary(summary: ProfileSummary): string {
  const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)} %`;
  return [
    `profiled ${(summary.totalMs / 1000).toFixed(1)} s: idle ${pct(summary.idleMs, summary.totalMs)}, ` +
      `busy ${(summary.busyMs / 1000).toFixed(1)} s, of which garbage collection ${pct(summary.gcMs, summary.busyMs)}`,
    'self time (share of busy):',
    ...summary.top.map(
      ({ name, selfMs }) => `  ${pct(selfMs, summary.busyMs).padStart(7)}  ${name}`,
    ),
  ].join('\n');
}

const usage = `usage: node bench/cpu-profile-summary.ts [--skip-ms N] [--top N] FILE.cpuprofile

Prints idle time, garbage collection's share of busy time, and the functions with the most self
time in a V8 CPU profile.

  --skip-ms N   leave out the first N ms (the consumer's start-up: result.json's consumerStartupMs)
  --top N       how many functions to list (default 15)
  -h, --help    show this help`;

function parseSummaryOptions(args: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      'skip-ms': { type: 'string', default: '0' },
      top: { type: 'string', default: '15' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [file, ...rest] = positionals;
  if (file === undefined || rest.length > 0) throw new Error('give exactly one .cpuprofile file');
  const skipMs = Number(values['skip-ms']);
  const top = Number(values.top);
  if (!(skipMs >= 0)) throw new Error('--skip-ms must be a number of milliseconds');
  if (!Number.isInteger(top) || top <= 0) throw new Error('--top must be a positive whole number');
  return { file, skipMs, top };
}

if (import.meta.main) {
  const options = parseArgsOrExit(parseSummaryOptions, usage);
  const profile = JSON.parse(await readFile(options.file, 'utf8')) as CpuProfile;
  process.stdout.write(
    `${formatSummary(summarizeProfile(profile, options.skipMs, options.top))}\n`,
  );
}
