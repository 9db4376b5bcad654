// `npm run backend:old` / `backend:new`: the stack up, the migrations run, then the consumer and a
// producer of the chosen event shape side by side. Ctrl+C stops both cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { consumerNodeFlags } from '../src/apps/consumer/node-flags.ts';
import { parseArgs } from 'node:util';
import { parseArgsOrExit } from '../src/runtime/parse-args-or-exit.ts';
import { backendUsage } from './stack-usage.ts';

const repoRoot = join(import.meta.dirname, '..');
const { shape } = parseArgsOrExit((args) => {
  const { values } = parseArgs({
    args: [...args],
    options: { schema: { type: 'string', default: 'old' } },
    strict: true,
  });
  if (values.schema !== 'old' && values.schema !== 'new')
    throw new Error('--schema must be "old" or "new"');
  return { shape: values.schema };
}, backendUsage);

function run(script: string, args: string[] = [], nodeFlags: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeFlags, join(repoRoot, script), ...args], {
    stdio: 'inherit',
  });
}

function exitCode(child: ChildProcess): Promise<number> {
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
  );
}

for (const step of ['stack/up.ts', 'stack/postgres/migrate.ts']) {
  const code = await exitCode(run(step));
  if (code !== 0) process.exit(code);
}

const children = [
  run('src/apps/consumer/main.ts', [], consumerNodeFlags),
  run('src/apps/producer/main.ts', ['--schema', shape]),
];
const forward = () => children.forEach((child) => child.kill('SIGTERM'));
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
// One stopping (a crash) stops the other, so the pair never half-runs.
const codes = await Promise.all(
  children.map(async (child) => {
    const code = await exitCode(child);
    forward();
    return code;
  }),
);
process.exit(codes.find((code) => code !== 0) ?? 0);
