// Command-line options of an entrypoint: parsed, or one line saying what is wrong, the usage, and
// exit code 2 (a usage error), before anything connects anywhere.
export function parseArgsOrExit<T>(parse: (args: readonly string[]) => T, usage: string): T {
  try {
    return parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    process.exit(2);
  }
}
