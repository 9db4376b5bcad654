// The command line of every entrypoint, handled one way: `--help` or `-h` prints the usage and
// exits 0; anything wrong prints one line saying what, then the usage, and exits 2 (a usage error).
// Entrypoints call this first, before reading their configuration or connecting anywhere, so a
// typo never starts a command for real.
import { parseArgs } from 'node:util';

type CommandLine<T> =
  | { readonly kind: 'run'; readonly options: T }
  | { readonly kind: 'help' }
  | { readonly kind: 'usage-error'; readonly message: string };

type Parse<T> = (args: readonly string[]) => T;

const helpFlags = new Set(['--help', '-h']);

/** What the arguments ask for; never exits, so it can be tested. */
export function readCommandLine<T>(args: readonly string[], parse: Parse<T>): CommandLine<T> {
  // Help wins over other mistakes on the same line, but not after `--` (that is a value).
  const end = args.indexOf('--');
  if ((end === -1 ? args : args.slice(0, end)).some((arg) => helpFlags.has(arg))) {
    return { kind: 'help' };
  }
  try {
    return { kind: 'run', options: parse(args) };
  } catch (error) {
    return { kind: 'usage-error', message: firstLine(error) };
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

export function parseArgsOrExit<T>(
  parse: Parse<T>,
  usage: string,
  args: readonly string[] = process.argv.slice(2),
): T {
  const line = readCommandLine(args, parse);
  if (line.kind === 'run') return line.options;
  if (line.kind === 'help') {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  process.stderr.write(`${line.message}\n${usage}\n`);
  process.exit(2);
}

/** For commands that take no arguments: anything given is a mistake, reported as such. */
export function parseNoOptions(args: readonly string[]): Record<string, never> {
  parseArgs({ args: [...args], options: {}, strict: true, allowPositionals: false });
  return {};
}

/** The common tail of every usage text. */
export const settingsNote =
  'Settings come from the environment or a .env file; .env.example lists them all.';
