// A batch's rows reach Postgres by COPY … FROM STDIN into a staging table, and one statement per
// table applies them from there (product-events.ts, shipping-addresses.ts). COPY text costs
// Postgres far less to read than one JSON document of the whole batch did, and the consumer
// writes it straight from the events, without building and stringifying row objects.
//
// The staging tables are temporary: each connection has its own, no other session sees them, and
// ON COMMIT DELETE ROWS empties them when the transaction ends (a rollback takes its rows with
// it), so every transaction starts from an empty table. Their columns are text: the statement
// that reads them casts each to its type, so a value is converted by the same input function, at
// the same step, as when json_to_recordset read it, and the database refuses a row for the same
// reason (SQLSTATE) as before. The writer needs TEMPORARY on the database, which PUBLIC has unless
// an administrator revoked it (docs/operations.md).
import { finished } from 'node:stream/promises';
import type { Knex } from 'knex';
import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export interface StagingTable {
  /** In pg_temp; `ordinal` (the row's place in the batch) comes first, before `columns`. */
  readonly name: string;
  readonly columns: readonly string[];
}

/** Staged columns as the statement reading them names them: `incoming."<column>"::<type>`. */
export const castColumns = (
  columns: readonly string[],
  types: Readonly<Record<string, string>>,
): string => columns.map((column) => `incoming."${column}"::${types[column] ?? 'text'}`).join(', ');

/** FROM clause of the statement that applies the staged rows, in the order they were written. */
export const fromStaging = (table: StagingTable): string =>
  `pg_temp.${table.name} AS incoming ORDER BY incoming.ordinal`;

/** `"ordinal", "<column>", …`: the columns of a line of COPY text for `table`. */
export const copyColumns = (table: StagingTable): string =>
  ['ordinal', ...table.columns].map((column) => `"${column}"`).join(', ');

// The CREATE goes in the same simple-query message as the COPY: Postgres runs the statements in
// turn and asks for the COPY's data after the first, so no round trip is spent on it. IF NOT
// EXISTS makes it a catalog lookup on every transaction but the connection's first (and after a
// rollback of that first one, which took the table with it).
function stagingCopySql(table: StagingTable): string {
  const definitions = ['"ordinal" integer', ...table.columns.map((column) => `"${column}" text`)];
  return `CREATE TEMP TABLE IF NOT EXISTS ${table.name} (${definitions.join(', ')})
            ON COMMIT DELETE ROWS;
          COPY pg_temp.${table.name} (${copyColumns(table)}) FROM STDIN`;
}

interface ConnectionClient {
  acquireConnection(): Promise<ClientBase>;
  releaseConnection(connection: ClientBase): Promise<void>;
}

/**
 * Runs `sql`, whose last statement is a COPY … FROM STDIN, in the transaction and sends it `rows`
 * (COPY text). A failure rejects with pg's error, classified like any other.
 */
export async function copyFromStdin(
  trx: Knex.Transaction,
  sql: string,
  rows: readonly Buffer[],
): Promise<void> {
  // Inside a transaction knex hands out the transaction's own connection (and releasing it is a
  // no-op), so the COPY runs in the transaction, between the statements of trx.raw.
  const client = trx.client as ConnectionClient;
  const connection = await client.acquireConnection();
  try {
    const copy = connection.query(copyFrom(sql));
    for (const chunk of rows) copy.write(chunk);
    copy.end();
    await finished(copy);
  } finally {
    await client.releaseConnection(connection);
  }
}

/** Copies `rows` (COPY text, each line starting with its ordinal) into the staging table. */
export const copyIntoStaging = (
  trx: Knex.Transaction,
  table: StagingTable,
  rows: readonly Buffer[],
): Promise<void> => copyFromStdin(trx, stagingCopySql(table), rows);
