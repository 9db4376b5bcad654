// The arithmetic of CPU cost, kept pure so it can be tested: CPU ticks spent by groups of processes
// between two moments, and what that is per event.

/** One process as seen by the latest sample: its group and its cumulative CPU ticks. */
export interface SeenProcess<Group extends string> {
  readonly group: Group;
  readonly ticks: number;
}

/**
 * Ticks each group spent since the baseline. A process absent from the baseline was born after it,
 * so all its ticks count; a process that has exited keeps the ticks of the last sample that saw it
 * (the caller keeps it in `latest`), so only the time since that sample is lost.
 */
export function ticksSpentByGroup<Group extends string>(
  groups: readonly Group[],
  baseline: ReadonlyMap<string, number>,
  latest: ReadonlyMap<string, SeenProcess<Group>>,
): Record<Group, number> {
  const spent = Object.fromEntries(groups.map((group) => [group, 0])) as Record<Group, number>;
  for (const [key, { group, ticks }] of latest) {
    spent[group] += Math.max(0, ticks - (baseline.get(key) ?? 0));
  }
  return spent;
}

/** CPU microseconds per event, from clock ticks. */
export function microsPerEvent(ticks: number, ticksPerSecond: number, events: number): number {
  if (ticksPerSecond <= 0 || events <= 0)
    throw new RangeError('ticks per second and events must be positive');
  return ((ticks / ticksPerSecond) * 1_000_000) / events;
}

/** Share of one core the ticks amount to over a wall-clock span: 1.0 is one core busy throughout. */
export function coresBusy(ticks: number, ticksPerSecond: number, seconds: number): number {
  return seconds > 0 ? ticks / ticksPerSecond / seconds : NaN;
}
