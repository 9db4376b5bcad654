// The closed list of error codes the service reports: in logs, in dead-letter headers and in the
// README's table (a test keeps the two in sync). Codes are stable: change a description, never a code.

interface ErrorCodeInfo {
  /** Whether trying again later can succeed. Non-retryable event errors go to the dead-letter topic. */
  readonly retryable: boolean;
  readonly description: string;
  readonly howToSolve: string;
}

export const errorCodes = {
  EVENT_MALFORMED: {
    retryable: false,
    description: 'The message value is not a JSON document in UTF-8 (empty, binary, truncated).',
    howToSolve: 'Fix the producer; then redrive the dead letter if the event still matters.',
  },
  EVENT_SCHEMA_VIOLATION: {
    retryable: false,
    description:
      'The event is JSON but breaks the product.purchased schema (the reason names the field).',
    howToSolve: 'Fix the producer, or the schema if the event is right; then redrive.',
  },
  EVENT_TOO_LARGE: {
    retryable: false,
    description:
      'The message value is larger than EVENT_MAX_BYTES (1 MiB) or nests deeper than EVENT_MAX_DEPTH (64 levels).',
    howToSolve: 'Fix the producer, or raise the limit if such events are legitimate; then redrive.',
  },
  EVENT_UNPROCESSABLE: {
    retryable: false,
    description:
      'Decoding or checking this one message failed unexpectedly (the reason names the error); the rest of the batch went on.',
    howToSolve:
      'A bug in the service: report the reason with the dead letter. Redrive after the fix.',
  },
  EVENT_ID_CONFLICT: {
    retryable: false,
    description:
      'An event with this eventId is already stored (or earlier in the batch) with different content.',
    howToSolve: 'Find which producer reuses ids. The stored row is kept.',
  },
  EVENT_REJECTED_BY_DATABASE: {
    retryable: false,
    description:
      'Postgres refused the row though it passed the schema: a value a column cannot hold, or a constraint it breaks (check, foreign key, unique: SQLSTATE class 22, 23 or 54, given in the reason with the constraint).',
    howToSolve:
      'Tighten the schema so such events fail validation with a clear reason, or widen the column.',
  },
  EVENT_REFUSED_BY_DATABASE: {
    retryable: false,
    description:
      'A rule of the database (a trigger or function that raises: SQLSTATE class P0) refused the row; the reason names the SQLSTATE and the function.',
    howToSolve:
      'Ask the owner of the database why its rule refuses the event; change the rule or the producer, then redrive.',
  },
  DATABASE_REFUSES_EVERY_EVENT: {
    retryable: true,
    description:
      'A rule of the database refused every event of a batch of two or more, each with the same SQLSTATE of class P0: nothing is dead-lettered, the partition waits and retries.',
    howToSolve:
      'The line names the SQLSTATE and the function: lift the rule (a maintenance switch, a trigger refusing everything); the waiting events are stored within seconds.',
  },
  DEAD_LETTER_NOT_SENT: {
    retryable: true,
    description:
      'The broker did not take a dead letter (the dead-letter topic deleted, access refused, brokers away); its partition waits and retries, committing nothing past it.',
    howToSolve:
      "The line names the topic and the broker's error: recreate the topic (docs/operations.md) or restore access; the partition then goes on.",
  },
  DEAD_LETTER_TOPIC_UNUSABLE: {
    retryable: false,
    description:
      'At start: the dead-letter topic does not exist, or its max.message.bytes cannot hold even a reference letter.',
    howToSolve:
      'The line names the topic, the setting and the value needed: create the topic or raise its max.message.bytes, then start again.',
  },
  KAFKA_BATCH_UNREADABLE: {
    retryable: false,
    description:
      'A record batch on the topic cannot be read (a codec this client lacks, corrupt, or decompressing past KAFKA_MAX_DECOMPRESSED_BATCH_BYTES); its partition stops there, the others go on.',
    howToSolve:
      'The line names topic, partition and offset: raise the limit if the batch is legitimate, or move the group past it (docs/operations.md), then restart.',
  },
  DATABASE_NOT_MIGRATED: {
    retryable: false,
    description: 'The consumer refused to start: the database has no product_events table yet.',
    howToSolve: 'Run `npm run db:migrate`, then start the consumer again.',
  },
  DATABASE_MISSING: {
    retryable: false,
    description: 'The database named in the connection URL does not exist on that server.',
    howToSolve:
      'Run `npm run stack:up` (it creates the database), or set DATABASE_URL (MIGRATIONS_DATABASE_URL for migrations) to one that exists.',
  },
  DATABASE_UNREACHABLE: {
    retryable: true,
    description:
      'No Postgres answers at the address of the connection URL (refused, timed out, or the host does not resolve). The consumer waits for it; the other commands exit.',
    howToSolve:
      'Start it (`npm run stack:up` starts the local one), or correct the host and port in DATABASE_URL (MIGRATIONS_DATABASE_URL for migrations).',
  },
  DATABASE_AUTH_FAILED: {
    retryable: false,
    description:
      'Postgres refused the role of the connection URL: a wrong password, an unknown role, or no pg_hba.conf entry for it.',
    howToSolve:
      'Set the right role and password in DATABASE_URL (MIGRATIONS_DATABASE_URL for migrations); `npm run stack:up` creates the local roles.',
  },
  MIGRATION_WOULD_DROP_DATA: {
    retryable: false,
    description:
      'A rollback would drop a table or columns that hold stored data, so it refused and changed nothing (the message names the table and the rows).',
    howToSolve: 'Back the data up; if it is to go, run `npm run db:migrate:down -- --drop-data`.',
  },
  DATABASE_LACKS_V2: {
    retryable: true,
    description:
      'An event with v2 fields arrived before the v2 migration ran; its partition waits and retries.',
    howToSolve: 'Run `npm run db:migrate`; the waiting events are stored within seconds.',
  },
  KAFKA_UNREACHABLE: {
    retryable: true,
    description:
      "No broker of KAFKA_BROKERS answered within the client's own retries (about 10 s).",
    howToSolve:
      'Start Kafka (`npm run stack:up` starts the local broker), or correct KAFKA_BROKERS.',
  },
  KAFKA_TOPIC_MISSING: {
    retryable: true,
    description:
      'A topic the command reads or writes does not exist on the brokers (the service never creates topics implicitly).',
    howToSolve:
      'Run `npm run stack:up` (it creates KAFKA_TOPIC and KAFKA_DLQ_TOPIC), or correct the topic variable the message names.',
  },
  KAFKA_SASL_FAILED: {
    retryable: false,
    description:
      'The brokers refused the SASL login of KAFKA_SASL_USERNAME (a wrong password, an unknown user, or a mechanism the listener does not enable). The command exits; no retry can succeed.',
    howToSolve:
      'Correct KAFKA_SASL_PASSWORD(_FILE), KAFKA_SASL_USERNAME or KAFKA_SASL_MECHANISM (the line names the mechanism).',
  },
  KAFKA_TLS_UNTRUSTED: {
    retryable: false,
    description:
      "The broker's certificate is not trusted: not signed by KAFKA_SSL_CA_FILE (or a public CA), expired, or not naming the host in KAFKA_BROKERS (the line gives Node's reason).",
    howToSolve:
      "Set KAFKA_SSL_CA_FILE to the cluster's CA; dial the name the certificate carries (or, last resort, KAFKA_SSL_VERIFY_HOSTNAME=false).",
  },
  KAFKA_TLS_REFUSED: {
    retryable: false,
    description:
      'The broker ended the TLS handshake: it requires a client certificate (mutual TLS) and got none or one it does not trust, or the listener does not speak TLS.',
    howToSolve:
      'Set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE to a certificate the cluster trusts; check KAFKA_SSL matches the listener.',
  },
  DATABASE_TLS_FAILED: {
    retryable: false,
    description:
      "TLS to Postgres failed: the server's certificate is not trusted by the sslrootcert CA or does not name the host (sslmode=verify-full), or the server does not offer TLS.",
    howToSolve:
      'Set sslrootcert (or PGSSLROOTCERT) to the CA that signed the server certificate and dial the name it carries; docs/operations.md shows a verify-full URL.',
  },
  CONFIG_INVALID: {
    retryable: false,
    description:
      'An environment variable has a value the service cannot use (the message names it).',
    howToSolve: 'Correct the variable; `.env.example` lists them all.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof errorCodes;

/** An event that can never be stored: it goes to the dead-letter topic with this code and reason. */
export interface Rejection {
  readonly code: ErrorCode;
  /** Readable and free of event data: it is logged and written to dead-letter headers. */
  readonly reason: string;
}

export class ServiceError extends Error {
  override name = 'ServiceError';
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.retryable = errorCodes[code].retryable;
  }
}
