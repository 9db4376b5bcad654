// The consumer under test, as its own process (as deployed), with its peak memory readable.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { consumerNodeFlags } from '../src/apps/consumer/node-flags.ts';

export interface ConsumerProcess {
  readonly child: ChildProcess;
  /** Peak resident set size so far (VmHWM), in MB. */
  peakRssMb(): Promise<number>;
  /** SIGTERM: a clean stop; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function startConsumerProcess(
  env: Record<string, string>,
  extraNodeArgs: readonly string[] = [],
): ConsumerProcess {
  // BENCH_CONSUMER_NODE_ARGS: extra node flags for the consumer alone, e.g. to try a V8 flag.
  const nodeArgs = (process.env['BENCH_CONSUMER_NODE_ARGS'] ?? '')
    .split(' ')
    .filter((arg) => arg !== '')
    .concat(extraNodeArgs);
  const child = spawn(
    process.execPath,
    [
      ...consumerNodeFlags,
      ...nodeArgs,
      join(import.meta.dirname, '..', 'src', 'apps', 'consumer', 'main.ts'),
    ],
    {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    async peakRssMb() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
      return kb / 1024;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
