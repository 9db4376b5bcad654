// Runs one of the project's entrypoints as its own process, as a user's npm script would.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const repoRoot = join(import.meta.dirname, '..', '..');

export interface RunningScript {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

export function runScript(
  script: string,
  args: string[],
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): RunningScript {
  const child = spawn(process.execPath, [...nodeArgs, join(repoRoot, script), ...args], {
    cwd: repoRoot,
    // HTTP_PORT 0: a free port each, so test processes never collide with each other or a dev's consumer.
    env: { ...process.env, HTTP_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, output: () => output, exited };
}
