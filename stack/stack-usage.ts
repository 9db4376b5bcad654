// Usage texts of the local stack's commands that span Kafka and Postgres. They take no options
// except backend:old/new's --schema, which their npm scripts pass. The migrations' own are in
// postgres/migration-usage.ts.
import { settingsNote } from '../src/runtime/parse-args-or-exit.ts';

const help = '  -h, --help   show this help';

export const stackUpUsage = `usage: npm run stack:up

Makes Postgres and Kafka ready, from nothing, and is safe to run again:
- Postgres: uses what answers on POSTGRES_ADMIN_URL; else starts the machine's cluster for that
  port; else the embedded PostgreSQL 15 from node_modules (data in .cache/postgres).
  STACK_POSTGRES=embedded uses the embedded one even where a cluster is installed.
  Creates the database and the owner and writer roles of DATABASE_URL, MIGRATIONS_DATABASE_URL.
- Kafka: uses what answers on KAFKA_BROKERS; else starts a local broker from Maven Central jars
  (needs Java 17+; the first run fetches them into .cache/kafka). Creates the topics.

${help}

${settingsNote}`;

export const stackDownUsage = `usage: npm run stack:down

Stops what stack:up started (the local Kafka broker, a Postgres it started), nothing else.
Data stays in .cache/ for the next stack:up.

${help}

${settingsNote}`;

export const stackStatusUsage = `usage: npm run stack:status

Says whether Postgres and Kafka answer, which Postgres it is, what the stack started and how many
migrations have run.

${help}

${settingsNote}`;

export const backendUsage = `usage: npm run backend:old | npm run backend:new

stack:up, the migrations, then the consumer and a producer of the old (original fields) or new
(discount, tax, shipping address) event shape side by side. Ctrl+C stops both cleanly.

  --schema old|new   the producer's event shape (the npm scripts pass it)
${help}

${settingsNote}`;
