// What says why a suite failed, kept from its output as it streams past, for test/run-suites.ts to
// print again at the end of a long log (CI logs are often read from their end only).
export interface FailureRecorder {
  /** One line of the suite's output, as printed (its run-suites prefixes included). */
  see(line: string): void;
  /** Mocha's failing blocks and nested suites' FAILED lines, else the suite's last lines. */
  failures(): string[];
}

const linesAfterFailing = 80;
const failureLinesKept = 300;
const lastLinesKept = 40;

/**
 * Keeps what says why a script failed, from its lines as they come. Suites run side by side, so
 * their lines interleave; each line's run-suites prefixes (`[script] `, one per level) say whose it
 * is. A failing block is the lines after an "N failing" line that carry its prefixes; a suite that
 * failed without one (a crash) is shown by its last lines.
 */
export function failureRecorder(): FailureRecorder {
  const kept: string[] = [];
  const lastLines = new Map<string, string[]>();
  const capturing = new Map<string, number>();
  const blockSeen = new Set<string>();
  const keep = (...lines: string[]) => {
    for (const line of lines) if (kept.length < failureLinesKept) kept.push(line);
  };
  return {
    see(line) {
      const prefix = /^(?:\[[^\]]*\] )*/.exec(line)?.[0] ?? '';
      const last = lastLines.get(prefix) ?? [];
      last.push(line);
      if (last.length > lastLinesKept) last.shift();
      lastLines.set(prefix, last);
      if (/^\s*\d+ failing\s*$/.test(line.slice(prefix.length))) {
        capturing.set(prefix, linesAfterFailing);
        blockSeen.add(prefix);
      }
      const left = capturing.get(prefix) ?? 0;
      if (left > 0) {
        capturing.set(prefix, left - 1);
        keep(line);
      }
      const failed = /^(\S+): FAILED \(exit \d+\)/.exec(line.slice(prefix.length));
      if (!failed) return;
      const inner = `${prefix}[${failed[1]}`;
      for (const [key, lines] of lastLines) {
        const isInner = key.startsWith(inner) && /^ *\] /.test(key.slice(inner.length));
        if (isInner && !blockSeen.has(key)) keep(...lines);
      }
      keep(line);
    },
    failures: () => (kept.length > 0 ? kept : [...lastLines.values()].flat().slice(-lastLinesKept)),
  };
}
