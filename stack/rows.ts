// `npm run db:rows`: the latest stored events as a table, for a person checking what the pipeline
// stored. No psql needed (the embedded Postgres ships none). Connects as the consumer's role.
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../src/runtime/load-config.ts';
import { parseArgsOrExit, settingsNote } from '../src/runtime/parse-args-or-exit.ts';
import { connectDatabase } from '../src/storage/connection.ts';

const rowsUsage = `usage: npm run db:rows [-- --limit N]

Prints the latest stored events, oldest first: the original fields, the v2 fields (empty where
the event did not carry them) and the shipping address's city and country.

  --limit N    how many (default 20)
  -h, --help   show this help

${settingsNote}`;

export function parseRowsOptions(args: readonly string[]): { limit: number } {
  const { values } = parseArgs({
    args: [...args],
    options: { limit: { type: 'string', default: '20' } },
    strict: true,
  });
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit <= 0)
    throw new Error('--limit must be a positive whole number');
  return { limit };
}

const { limit } = parseArgsOrExit(parseRowsOptions, rowsUsage);
const db = connectDatabase(loadConfigOrExit().databaseUrl, 1);
try {
  if (!(await db.schema.hasTable('product_events'))) {
    process.stderr.write('no product_events table yet: run npm run backend:old first\n');
    process.exitCode = 1;
  } else await printRows();
} catch (error) {
  // One line, no stack: the usual causes are a server that is down or a wrong DATABASE_URL.
  process.stderr.write(`db:rows failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await db.destroy();
}

async function printRows(): Promise<void> {
  const rows = await db
    .select(
      'e.id',
      'e.event_id',
      'e.product_name',
      'e.price',
      'e.currency',
      'e.quantity',
      'e.discount_code',
      'e.discount_amount',
      'e.tax_amount',
      'a.city',
      'a.country',
    )
    .from('product_events as e')
    .leftJoin('shipping_addresses as a', 'a.event_id', 'e.event_id')
    .orderBy('e.id', 'desc')
    .limit(limit);
  const [{ count } = { count: 0 }] = await db('product_events').count<{ count: string }[]>({
    count: '*',
  });
  console.table(rows.reverse());
  process.stdout.write(`${rows.length} of ${count} rows in product_events\n`);
}
