// The lines a command wrote, read as its logger wrote them (LOG_FORMAT=json): one entry per line.
// A line that is not JSON is kept as { raw } so a test can insist there is none.
export interface LogLine {
  readonly level?: string;
  readonly message?: string;
  readonly code?: string;
  readonly err?: { readonly message?: string };
  readonly raw?: string;
  readonly [field: string]: unknown;
}

export function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        return { raw: line };
      }
    });
}

/** What a person reads in the lines: each message, an error's message under it, raw lines as they are. */
export function logText(output: string): string {
  return logLines(output)
    .map((line) =>
      [line.raw, line.message, line.err?.message].filter((part) => part !== undefined).join('\n'),
    )
    .join('\n')
    .concat('\n');
}
