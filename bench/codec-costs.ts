// What the bounded codecs (src/messaging/compression/) cost, on this machine:
//   node bench/codec-costs.ts speed          decode time per MiB of bench events, per codec
//   node bench/codec-costs.ts bombs          peak RSS of refusing a bomb of 256 MiB, per codec,
//                                            each in a fresh process, beside the unbounded decoders
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compressionsAlgorithms } from '@platformatic/kafka';
import {
  type CodecName,
  compress,
  decompress,
  decompressAsync,
} from '../src/messaging/compression/codecs.ts';
import { CodecError } from '../src/messaging/compression/codec-error.ts';
import { benchEvent } from './bench-events.ts';

const codecs: readonly CodecName[] = ['gzip', 'snappy', 'lz4', 'zstd'];
const MiB = 1024 * 1024;
const cap = 32 * MiB;

function events(bytes: number): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  for (let i = 0; total < bytes; i++) {
    const part = Buffer.from(JSON.stringify(benchEvent(i)));
    parts.push(part);
    total += part.length;
  }
  return Buffer.concat(parts).subarray(0, bytes);
}

/** The fastest of a few rounds, in ms per MiB decoded: the machine is shared and noisy. */
async function msPerMiB(rounds: number, mib: number, run: () => unknown): Promise<string> {
  let best = Infinity;
  for (let i = 0; i <= rounds; i++) {
    const start = process.hrtime.bigint();
    await run();
    if (i > 0) best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6 / mib);
  }
  return `${best.toFixed(2)} ms/MiB`;
}

async function speed(): Promise<void> {
  const text = events(8 * MiB);
  for (const codec of codecs) {
    const compressed = compress(codec, text);
    const sync = await msPerMiB(7, 8, () => decompress(codec, compressed, cap));
    const async = await msPerMiB(7, 8, () => decompressAsync(codec, compressed, cap));
    const library = await msPerMiB(7, 8, () => unbounded(codec, compressed));
    console.log(
      `${codec}: ratio ${(text.length / compressed.length).toFixed(1)}, bounded ${sync} ` +
        `(async ${async}), @platformatic/kafka's own unbounded ${library}`,
    );
  }
}

/** What @platformatic/kafka 2.12.1 does on its own: no limit. */
const unbounded = (codec: CodecName, input: Buffer) =>
  compressionsAlgorithms[codec].decompressSync(input);
const bombFile = (codec: CodecName) => join(tmpdir(), `codec-costs-bomb.${codec}`);

/** This process's peak RSS in MiB (VmHWM: unlike getrusage's, not inherited across exec). */
const peakRssMiB = () =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024;

/** In a fresh process: decode one bomb, print the peak RSS in MiB. */
function bomb(codec: CodecName, bounded: boolean): void {
  const input = readFileSync(bombFile(codec));
  const before = peakRssMiB();
  let outcome: string;
  try {
    const output = bounded ? decompress(codec, input, cap) : unbounded(codec, input);
    outcome = `decoded ${output.length / MiB} MiB`;
  } catch (error) {
    outcome = error instanceof CodecError ? 'refused' : `failed (${String(error)})`;
  }
  const after = peakRssMiB();
  console.log(
    `${codec} bomb of ${input.length} bytes -> 256 MiB, ${bounded ? 'bounded' : 'unbounded'}: ` +
      `${outcome}; peak RSS ${after.toFixed(0)} MiB (${before.toFixed(0)} MiB before decoding)`,
  );
}

const [mode, codec, how] = process.argv.slice(2);
if (mode === 'speed') await speed();
else if (mode === 'bomb') bomb(codec as CodecName, how === 'bounded');
else if (mode === 'bombs') {
  for (const one of codecs) {
    writeFileSync(bombFile(one), compress(one, Buffer.alloc(256 * MiB)));
    for (const kind of ['bounded', 'unbounded'])
      spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'bomb', one, kind], {
        stdio: 'inherit',
      });
  }
} else {
  console.error('usage: node bench/codec-costs.ts speed|bombs');
  process.exitCode = 2;
}
