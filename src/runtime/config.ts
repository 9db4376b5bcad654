// Configuration is read once, from the environment, validated, then frozen. Every problem names the
// variable so a mistyped setting fails at start-up instead of deep inside a batch.
import { existsSync } from 'node:fs';
import type { EventLimits } from '../domain/events/decode-event.ts';
import { ConfigError } from './config-error.ts';
import { readDatabaseSetting, type DatabaseSetting } from './database-setting.ts';
import {
  kafkaSecurityDefaults,
  readKafkaSecurity,
  type KafkaSecurity,
  type KafkaSecurityVariable,
} from './kafka-security.ts';
import { withDatabase } from './postgres-url.ts';

export type { DatabaseSetting };

export interface Config {
  /** The consumer's connection: a role that reads and writes the tables, no DDL. */
  readonly databaseUrl: string;
  /** The migrations' connection: the role that owns the tables. */
  readonly migrationsDatabaseUrl: string;
  /** DATABASE_URL with its password file and TLS: what the commands connect with. */
  readonly database: DatabaseSetting;
  /** MIGRATIONS_DATABASE_URL (or DATABASE_URL) with its password file and TLS. */
  readonly migrationsDatabase: DatabaseSetting;
  /** A superuser connection, for the local stack and the tests only (creates roles, databases). */
  readonly postgresAdminUrl: string;
  readonly kafkaBrokers: readonly string[];
  readonly kafkaClientId: string;
  /** TLS and SASL of every Kafka connection, on both clients. */
  readonly kafkaSecurity: KafkaSecurity;
  /** The library behind the Kafka port (src/adapters/<client>/). */
  readonly kafkaClient: KafkaClient;
  /** Codec of the batches this service's producers write (events, dead letters). */
  readonly kafkaCompression: KafkaCompression;
  /**
   * A record batch that decompresses to more bytes than this is unreadable (KAFKA_BATCH_UNREADABLE):
   * the bound on what one compressed batch may cost in memory, whatever its ratio.
   */
  readonly kafkaMaxDecompressedBatchBytes: number;
  readonly topic: string;
  readonly dlqTopic: string;
  readonly topicPartitions: number;
  readonly consumerGroupId: string;
  readonly partitionsConsumedConcurrently: number;
  readonly consumerSessionTimeoutMs: number;
  /** A partition behind and without progress for this long is stuck: /readyz answers 503. */
  readonly consumerStuckAfterMs: number;
  /** A partition batch is decoded and stored in slices of at most this many message value bytes. */
  readonly consumerSliceMaxBytes: number;
  readonly producerIntervalMs: number;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly logLevel: string;
  /** Messages larger or deeper are dead-lettered as EVENT_TOO_LARGE, never parsed. */
  readonly eventLimits: EventLimits;
  readonly logFormat: LogFormat;
  /** Which Postgres `npm run stack:up` may start when none answers; see stack/postgres/local-postgres.ts. */
  readonly stackPostgres: 'auto' | 'embedded';
}

/** What a Kafka adapter is built from: the same settings for both clients. */
export type KafkaClientSettings = Pick<
  Config,
  | 'kafkaBrokers'
  | 'kafkaClientId'
  | 'kafkaCompression'
  | 'kafkaMaxDecompressedBatchBytes'
  | 'kafkaSecurity'
>;

/** auto: readable lines on a terminal, JSON lines otherwise; json or pretty: always that. */
export type LogFormat = 'auto' | 'json' | 'pretty';
const logFormats: readonly LogFormat[] = ['auto', 'json', 'pretty'];

/** kafkajs: the customer's choice and the default; platformatic: @platformatic/kafka. */
export type KafkaClient = 'kafkajs' | 'platformatic';
const kafkaClients: readonly KafkaClient[] = ['kafkajs', 'platformatic'];

/** The four codecs Kafka defines, and none. */
export type KafkaCompression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
const kafkaCompressions: readonly KafkaCompression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export const defaults = Object.freeze({
  DATABASE_URL: 'postgres://product_events_writer@127.0.0.1:5432/coding_task',
  MIGRATIONS_DATABASE_URL: 'postgres://product_events_owner@127.0.0.1:5432/coding_task',
  POSTGRES_ADMIN_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
  // A file holding the role's password (a mounted Secret), instead of a password in the URL.
  DATABASE_PASSWORD_FILE: '',
  MIGRATIONS_DATABASE_PASSWORD_FILE: '',
  KAFKA_BROKERS: '127.0.0.1:9092',
  KAFKA_CLIENT_ID: 'product-events',
  KAFKA_CLIENT: 'kafkajs',
  ...kafkaSecurityDefaults,
  KAFKA_COMPRESSION: 'none',
  // 32 MiB: 32 events of the largest size in one batch; a batch past it is a bomb or a mistake.
  KAFKA_MAX_DECOMPRESSED_BATCH_BYTES: '33554432',
  KAFKA_TOPIC: 'product-events',
  KAFKA_DLQ_TOPIC: 'product-events.dlq',
  KAFKA_TOPIC_PARTITIONS: '3',
  KAFKA_GROUP_ID: 'product-events-consumer',
  CONSUMER_PARTITIONS_CONCURRENTLY: '3',
  // How long the group waits for a silent consumer before giving its partitions to others.
  // kafkajs's 30 s default also means 30 s of idling after a broker restart (kafkajs rejoins as
  // a new member and the group waits for the old one). kafkajs heartbeats every 3 s, also while
  // a batch is retried or bisected.
  CONSUMER_SESSION_TIMEOUT_MS: '10000',
  // A minute behind without a committed offset moving: far past a slow batch (seconds), short
  // enough that an operator hears of a partition waiting on a dead-letter topic or the database.
  CONSUMER_STUCK_AFTER_MS: '60000',
  // 1 MiB of message values decoded at once per partition: at most about 21 MiB of heap at the
  // worst expansion measured, 64 MiB at 3 partitions at once, under the 160 MB heap cap with room
  // (docs/performance.md). 8 MiB ran the consumer out of heap on [{}, …]-padded 1 MiB events.
  CONSUMER_SLICE_MAX_BYTES: '1048576',
  PRODUCER_INTERVAL_MS: '10000', // ten seconds, as in the original system
  LOG_LEVEL: 'info',
  LOG_FORMAT: 'auto',
  // auto: the machine's cluster if installed, else the embedded one; embedded: always that one.
  STACK_POSTGRES: 'auto',
  // The consumer's /healthz, /readyz and /metrics. Loopback by default; 0.0.0.0 in a container.
  HTTP_HOST: '127.0.0.1',
  HTTP_PORT: '9464', // 0: any free port (several consumers on one machine)
  EVENT_MAX_BYTES: '1048576', // 1 MiB, Kafka's default message size limit
  EVENT_MAX_DEPTH: '64', // levels of objects and arrays; an event needs 3, metadata may use 32
});

type Env = Readonly<Record<string, string | undefined>>;
type Name = keyof typeof defaults;

export { ConfigError };

const logLevels = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];

const textOf = (env: Env, name: Name): string => {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? defaults[name] : value;
};

function postgresUrlOf(env: Env, name: Name): string {
  const value = textOf(env, name);
  // The URL may hold a password: never echo it.
  if (!/^postgres(ql)?:\/\/[^/]/.test(value))
    throw new ConfigError(`${name} must be a postgres:// URL`);
  return value;
}

// One DATABASE_URL alone (a single-role setup, e.g. Docker's postgres user) serves for all three;
// with nothing set, the local stack's owner and writer roles are used.
function fromOwnOrDatabaseUrl(env: Env, name: Name, fallback: () => string): string {
  const given = (variable: Name) => (env[variable]?.trim() ?? '') !== '';
  return given(name) || !given('DATABASE_URL') ? postgresUrlOf(env, name) : fallback();
}

/** The migrations' connection alone: the migration commands read nothing else, so an unrelated
 * bad setting (HTTP_PORT=abc) does not stop them. */
export function readMigrationsDatabase(env: Env = process.env): DatabaseSetting {
  const url = fromOwnOrDatabaseUrl(env, 'MIGRATIONS_DATABASE_URL', () =>
    postgresUrlOf(env, 'DATABASE_URL'),
  );
  const fromDatabaseUrl =
    (env['MIGRATIONS_DATABASE_URL']?.trim() ?? '') === '' &&
    (env['DATABASE_URL']?.trim() ?? '') !== '';
  // Migrations that share DATABASE_URL share its password file too, unless given their own.
  const ownPasswordFile = (env['MIGRATIONS_DATABASE_PASSWORD_FILE']?.trim() ?? '') !== '';
  return fromDatabaseUrl
    ? readDatabaseSetting(
        env,
        url,
        'DATABASE_URL',
        ownPasswordFile ? 'MIGRATIONS_DATABASE_PASSWORD_FILE' : 'DATABASE_PASSWORD_FILE',
      )
    : readDatabaseSetting(env, url, 'MIGRATIONS_DATABASE_URL', 'MIGRATIONS_DATABASE_PASSWORD_FILE');
}

/** LOG_LEVEL and LOG_FORMAT alone, for commands that read nothing else to log. */
export function readLogSettings(env: Env = process.env): {
  readonly logLevel: string;
  readonly logFormat: LogFormat;
} {
  const logLevel = textOf(env, 'LOG_LEVEL');
  if (!logLevels.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${logLevels.join(', ')}, got "${logLevel}"`);
  }
  const logFormat = textOf(env, 'LOG_FORMAT') as LogFormat;
  if (!logFormats.includes(logFormat)) {
    throw new ConfigError(`LOG_FORMAT must be one of ${logFormats.join(', ')}, got "${logFormat}"`);
  }
  return { logLevel, logFormat };
}

export function readConfig(env: Env = process.env): Config {
  const text = (name: Name): string => textOf(env, name);
  const positiveInt = (name: Name): number => {
    const value = text(name);
    if (!/^[1-9]\d*$/.test(value)) {
      throw new ConfigError(`${name} must be a positive integer, got "${value}"`);
    }
    return Number(value);
  };
  const port = (name: Name): number => {
    const value = text(name);
    if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
      throw new ConfigError(`${name} must be a port number (0 to 65535), got "${value}"`);
    }
    return Number(value);
  };
  const kafkaTopicName = (name: Name): string => {
    const value = text(name);
    // Kafka's own rule for topic names (legal characters and length).
    if (!/^[a-zA-Z0-9._-]{1,249}$/.test(value)) {
      throw new ConfigError(
        `${name} must be a Kafka topic name ([a-zA-Z0-9._-], at most 249 chars)`,
      );
    }
    return value;
  };

  const databaseUrl = postgresUrlOf(env, 'DATABASE_URL');
  const database = readDatabaseSetting(env, databaseUrl, 'DATABASE_URL', 'DATABASE_PASSWORD_FILE');
  const migrationsDatabase = readMigrationsDatabase(env);
  const migrationsDatabaseUrl = migrationsDatabase.url;
  const postgresAdminUrl = fromOwnOrDatabaseUrl(env, 'POSTGRES_ADMIN_URL', () =>
    withDatabase(databaseUrl, 'postgres'),
  );
  const kafkaBrokers = text('KAFKA_BROKERS')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  if (kafkaBrokers.length === 0) {
    throw new ConfigError('KAFKA_BROKERS must name at least one broker (host:port)');
  }
  for (const broker of kafkaBrokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker)) {
      throw new ConfigError(
        `KAFKA_BROKERS must be a comma-separated list of host:port, got "${broker}"`,
      );
    }
  }
  const { logLevel, logFormat } = readLogSettings(env);
  const kafkaClient = text('KAFKA_CLIENT') as KafkaClient;
  if (!kafkaClients.includes(kafkaClient)) {
    throw new ConfigError(
      `KAFKA_CLIENT must be one of ${kafkaClients.join(', ')}, got "${kafkaClient}"`,
    );
  }
  const kafkaCompression = text('KAFKA_COMPRESSION') as KafkaCompression;
  if (!kafkaCompressions.includes(kafkaCompression)) {
    throw new ConfigError(
      `KAFKA_COMPRESSION must be one of ${kafkaCompressions.join(', ')}, got "${kafkaCompression}"`,
    );
  }
  const stackPostgres = text('STACK_POSTGRES');
  if (stackPostgres !== 'auto' && stackPostgres !== 'embedded') {
    throw new ConfigError(`STACK_POSTGRES must be auto or embedded, got "${stackPostgres}"`);
  }
  const topic = kafkaTopicName('KAFKA_TOPIC');
  const dlqTopic = kafkaTopicName('KAFKA_DLQ_TOPIC');
  if (topic === dlqTopic) {
    throw new ConfigError('KAFKA_DLQ_TOPIC must differ from KAFKA_TOPIC');
  }

  const kafkaSecurity = readKafkaSecurity((name: KafkaSecurityVariable) => text(name));

  return Object.freeze({
    databaseUrl,
    migrationsDatabaseUrl,
    database,
    migrationsDatabase,
    postgresAdminUrl,
    kafkaBrokers: Object.freeze(kafkaBrokers),
    kafkaClientId: text('KAFKA_CLIENT_ID'),
    kafkaSecurity,
    kafkaClient,
    kafkaCompression,
    kafkaMaxDecompressedBatchBytes: positiveInt('KAFKA_MAX_DECOMPRESSED_BATCH_BYTES'),
    topic,
    dlqTopic,
    topicPartitions: positiveInt('KAFKA_TOPIC_PARTITIONS'),
    consumerGroupId: text('KAFKA_GROUP_ID'),
    partitionsConsumedConcurrently: positiveInt('CONSUMER_PARTITIONS_CONCURRENTLY'),
    consumerSessionTimeoutMs: positiveInt('CONSUMER_SESSION_TIMEOUT_MS'),
    consumerStuckAfterMs: positiveInt('CONSUMER_STUCK_AFTER_MS'),
    consumerSliceMaxBytes: positiveInt('CONSUMER_SLICE_MAX_BYTES'),
    producerIntervalMs: positiveInt('PRODUCER_INTERVAL_MS'),
    httpHost: text('HTTP_HOST'),
    httpPort: port('HTTP_PORT'),
    logLevel,
    eventLimits: Object.freeze({
      maxBytes: positiveInt('EVENT_MAX_BYTES'),
      maxDepth: positiveInt('EVENT_MAX_DEPTH'),
    }),
    logFormat,
    stackPostgres,
  });
}

/** Loads `.env` from the working directory, if there is one; variables already set win. */
export function loadEnvFile(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
