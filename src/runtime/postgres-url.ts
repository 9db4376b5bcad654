// The database part of a postgres:// URL: which database it names, and the same server's URL for
// another one (`postgres` to create a database, a scratch database in the tests). Names are
// percent-encoded in the path, so one with a space or a slash still reaches the right database.
export function databaseOf(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
}

export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}
