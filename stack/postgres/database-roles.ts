// Least privilege for the local stack: migrations run as the owner role, which owns every table;
// the consumer runs as the writer role, which may read every table, insert events and update only
// the columns its upserts set (src/storage/writer-privileges.ts), and nothing else (no CREATE, ALTER,
// DROP, TRUNCATE or DELETE; no writes to knex's tables). Created by a superuser connection.
import pg from 'pg';
import { databaseOf, withDatabase } from '../../src/runtime/postgres-url.ts';
import {
  applyWriterPrivileges,
  writerRoleSetting,
  type RunSql,
} from '../../src/storage/writer-privileges.ts';

export interface RolePlan {
  readonly database: string;
  readonly owner: { readonly name: string; readonly password?: string };
  readonly writer: { readonly name: string; readonly password?: string };
}

const roleOf = (databaseUrl: string) => {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return password === '' ? { name } : { name, password };
};

/** Owner from the migrations URL, writer from the consumer's; none when both are the same role. */
export function rolePlan(databaseUrl: string, migrationsDatabaseUrl: string): RolePlan | undefined {
  const owner = roleOf(migrationsDatabaseUrl);
  const writer = roleOf(databaseUrl);
  if (owner.name === writer.name || owner.name === '' || writer.name === '') return undefined;
  return { database: databaseOf(databaseUrl), owner, writer };
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the roles (if missing) and the database (if missing, owned by the owner role). */
export async function ensureDatabaseAndRoles(
  adminUrl: string,
  plan: RolePlan | undefined,
  database: string,
): Promise<boolean> {
  const created = await withClient(adminUrl, async (client) => {
    const id = (name: string) => client.escapeIdentifier(name);
    for (const role of plan === undefined ? [] : [plan.owner, plan.writer]) {
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role.name]);
      const password =
        role.password === undefined ? '' : ` PASSWORD ${client.escapeLiteral(role.password)}`;
      if (exists.rowCount === 0)
        await client.query(`CREATE ROLE ${id(role.name)} LOGIN${password}`);
      else if (password !== '') await client.query(`ALTER ROLE ${id(role.name)}${password}`);
    }
    const found = await client.query<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [database],
    );
    const ownerClause = plan === undefined ? '' : ` OWNER ${id(plan.owner.name)}`;
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${id(database)}${ownerClause}`);
      return true;
    }
    if (plan !== undefined && found.rows[0]?.owner !== plan.owner.name) {
      await client.query(`ALTER DATABASE ${id(database)} OWNER TO ${id(plan.owner.name)}`);
    }
    return false;
  });
  if (plan !== undefined) {
    await withClient(withDatabase(adminUrl, database), (client) =>
      grantPrivileges(client, plan, database),
    );
  }
  return created;
}

async function grantPrivileges(client: pg.Client, plan: RolePlan, database: string): Promise<void> {
  const owner = client.escapeIdentifier(plan.owner.name);
  const writer = client.escapeIdentifier(plan.writer.name);
  // Tables made before the roles existed (by a superuser) pass to the owner, so migrations can alter them.
  const foreign = await client.query<{ kind: string; name: string }>(
    `SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind, c.relname AS name
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S') AND pg_get_userbyid(c.relowner) <> $1
       AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))`,
    [plan.owner.name],
  );
  for (const { kind, name } of foreign.rows) {
    await client.query(`ALTER ${kind} public.${client.escapeIdentifier(name)} OWNER TO ${owner}`);
  }
  // Default privileges are table-wide, so a table a migration creates is only readable by the
  // writer until a migration grants what the writer needs (applyWriterPrivileges, which finds the
  // writer in the setting recorded here). The REVOKEs undo the INSERT and UPDATE defaults an
  // earlier stack:up set, which reached knex's tables too. TEMPORARY (PUBLIC's unless revoked):
  // the writer COPYs each batch into staging tables of its own (src/storage/staging-table.ts).
  await client.query(`
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    GRANT CONNECT ON DATABASE ${client.escapeIdentifier(database)} TO ${writer};
    GRANT TEMPORARY ON DATABASE ${client.escapeIdentifier(database)} TO ${writer};
    GRANT USAGE ON SCHEMA public TO ${writer};
    ALTER DATABASE ${client.escapeIdentifier(database)} SET ${writerRoleSetting} = ${client.escapeLiteral(plan.writer.name)};
    ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public REVOKE INSERT, UPDATE ON TABLES FROM ${writer};
    ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public REVOKE USAGE ON SEQUENCES FROM ${writer};
    ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT SELECT ON TABLES TO ${writer};
  `);
  // Tables that exist already (a re-run, or a database migrated before the roles existed).
  const run = ((sql: string) => client.query(sql)) as RunSql;
  await applyWriterPrivileges(run, plan.writer.name);
}
