// `node --expose-gc bench/module-rss.ts MODULE…`: what loading each module costs in resident
// memory, in one process, in the order given (each after the ones before it, so a module's figure
// is only what it adds): RSS after two full collections, before and after each import. The
// consumer's peak RSS starts from what its code and its Kafka client cost loaded, before any
// event; docs/performance.md ("The targets") uses it to split that between the service's own code
// and each client. Paths are relative to the working directory; package files by their path too
// (a package's `exports` may not list them).
import { pathToFileURL } from 'node:url';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const modules = process.argv.slice(2);
if (modules.length === 0) throw new Error('name at least one module to load');

const residentMb = (): number => {
  gc();
  gc();
  return Math.round(process.memoryUsage().rss / 1e6);
};

const rows: { module: string; rssMb: number; addedMb: number }[] = [];
let before = residentMb();
rows.push({ module: '(this script, before any import)', rssMb: before, addedMb: 0 });
for (const module of modules) {
  await import(pathToFileURL(module).href);
  const after = residentMb();
  rows.push({ module, rssMb: after, addedMb: after - before });
  before = after;
}
console.table(rows);
