// JSON.parse turns numbers a double cannot hold into something else: 1e400 into Infinity (which
// would be stored as null) and integers beyond 2^53 into their nearest double. Metadata is stored
// as parsed, so such numbers would change silently; they are refused instead.
export function hasInexactNumber(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'number') {
      if (!Number.isFinite(item) || (Number.isInteger(item) && !Number.isSafeInteger(item)))
        return true;
    } else if (item !== null && typeof item === 'object') {
      pending.push(...(Object.values(item) as unknown[]));
    }
  }
  return false;
}
