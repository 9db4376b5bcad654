// `npm run db:rows`: the latest stored events as a table, for a person checking what the pipeline
// stored. No psql needed (the embedded Postgres ships none). Connects as the consumer's role.
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../../src/runtime/load-config.ts';
import { parseArgsOrExit, settingsNote } from '../../src/runtime/parse-args-or-exit.ts';
import { connectDatabase } from '../../src/storage/connection.ts';
import { formatTable, type TableColumn } from './text-table.ts';

const rowsUsage = `usage: npm run db:rows [-- --limit N]

Prints the latest stored events, oldest first, as a table that fits 120 columns: the original
fields, the v2 fields (empty where the event did not carry them), schema_version (2: stored by a
v2 consumer; empty: by code that predates v2) and the shipping address's city and country.

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

const columns: TableColumn[] = [
  { header: 'id', align: 'right' },
  { header: 'event_id' },
  { header: 'product', shrinkable: true },
  { header: 'price', align: 'right' },
  { header: 'qty', align: 'right' },
  { header: 'discount' },
  { header: 'tax', align: 'right' },
  { header: 'schema_version', align: 'right' },
  { header: 'ship_to', shrinkable: true },
];

interface StoredRow {
  id: string;
  event_id: string;
  product_name: string;
  price: string;
  currency: string;
  quantity: number;
  discount_code: string | null;
  discount_amount: string | null;
  tax_amount: string | null;
  schema_version: number | null;
  city: string | null;
  country: string | null;
}

/** One line per row; what the event did not carry is an empty cell. */
const cellsOf = (row: StoredRow) => [
  row.id,
  row.event_id,
  row.product_name,
  `${row.price} ${row.currency}`,
  row.quantity,
  [row.discount_code, row.discount_amount].filter((part) => part !== null).join(' '),
  row.tax_amount,
  row.schema_version,
  [row.city, row.country].filter((part) => part !== null).join(', '),
];

async function printRows(): Promise<void> {
  const rows = await db
    .select<StoredRow[]>(
      'e.id',
      'e.event_id',
      'e.product_name',
      'e.price',
      'e.currency',
      'e.quantity',
      'e.discount_code',
      'e.discount_amount',
      'e.tax_amount',
      'e.schema_version',
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
  const lines = formatTable(columns, rows.reverse().map(cellsOf));
  process.stdout.write(`${lines.join('\n')}\n${rows.length} of ${count} rows in product_events\n`);
}

const { limit } = parseArgsOrExit(parseRowsOptions, rowsUsage);
const db = connectDatabase(loadConfigOrExit().database, 1);
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
