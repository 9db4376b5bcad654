// Preloaded with `node --import` into a command under test: writes to LOADED_PACKAGES_FILE, as the
// process exits, the name of every package in node_modules it loaded (by import or require), so a
// test can say which Kafka client a command brought into memory.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const packages = new Set<string>();
const packageOf = (url: string) =>
  /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(decodeURIComponent(url))?.[1];

registerHooks({
  load(url, context, nextLoad) {
    const name = packageOf(url);
    if (name !== undefined) packages.add(name);
    return nextLoad(url, context);
  },
});

process.once('exit', () => {
  const file = process.env['LOADED_PACKAGES_FILE'];
  if (file !== undefined) writeFileSync(file, `${[...packages].sort().join('\n')}\n`);
});
