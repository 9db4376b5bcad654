// How deeply a JSON value nests, counted without recursion: a hostile event nested thousands of
// levels deep must get a clear "too deep" answer, not overflow the stack that measures it.
import { isRawJsonNumber } from './parse-exact-json.ts';

export function nestingDepth(value: unknown, stopAt = Infinity): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    // A raw JSON number (parse-exact-json.ts) is a number, not a level.
    if (item === null || typeof item !== 'object' || isRawJsonNumber(item)) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > stopAt) return deepest;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return deepest;
}
