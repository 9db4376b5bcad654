import { expect } from 'chai';
import { ConfigError, defaults, readConfig } from '../../../src/runtime/config.ts';

type Env = Record<string, string | undefined>;

/** Reads the config from env, expecting a ConfigError, and returns it. */
function configErrorFrom(env: Env): ConfigError {
  try {
    readConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  return expect.fail(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('readConfig', () => {
  describe('given an empty environment', () => {
    it('uses the defaults', () => {
      expect(readConfig({})).to.deep.equal({
        databaseUrl: 'postgres://product_events_writer@127.0.0.1:5432/coding_task',
        migrationsDatabaseUrl: 'postgres://product_events_owner@127.0.0.1:5432/coding_task',
        database: {
          url: 'postgres://product_events_writer@127.0.0.1:5432/coding_task',
          variable: 'DATABASE_URL',
        },
        migrationsDatabase: {
          url: 'postgres://product_events_owner@127.0.0.1:5432/coding_task',
          variable: 'MIGRATIONS_DATABASE_URL',
        },
        postgresAdminUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
        kafkaBrokers: ['127.0.0.1:9092'],
        kafkaClientId: 'product-events',
        kafkaSecurity: {},
        kafkaClient: 'kafkajs',
        kafkaCompression: 'none',
        kafkaMaxDecompressedBatchBytes: 33_554_432,
        topic: 'product-events',
        dlqTopic: 'product-events.dlq',
        topicPartitions: 3,
        consumerGroupId: 'product-events-consumer',
        partitionsConsumedConcurrently: 3,
        consumerSessionTimeoutMs: 10000,
        consumerStuckAfterMs: 60_000,
        consumerSliceMaxBytes: 1_048_576,
        httpHost: '127.0.0.1',
        httpPort: 9464,
        producerIntervalMs: 10_000,
        logLevel: 'info',
        eventLimits: { maxBytes: 1_048_576, maxDepth: 64 },
        logFormat: 'auto',
        stackPostgres: 'auto',
      });
    });

    it('produces a producer interval of ten seconds, as the original system did', () => {
      expect(readConfig({}).producerIntervalMs).to.equal(10_000);
    });
  });

  describe('given values', () => {
    const env: Env = {
      DATABASE_URL: 'postgresql://app:secret@db.internal:5432/shop',
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9093,',
      KAFKA_CLIENT_ID: 'ingest',
      KAFKA_CLIENT: 'platformatic',
      KAFKA_COMPRESSION: 'zstd',
      KAFKA_MAX_DECOMPRESSED_BATCH_BYTES: '1000000',
      KAFKA_TOPIC: 'orders',
      KAFKA_DLQ_TOPIC: 'orders.dlq',
      KAFKA_TOPIC_PARTITIONS: '12',
      KAFKA_GROUP_ID: 'orders-consumer',
      CONSUMER_PARTITIONS_CONCURRENTLY: '4',
      CONSUMER_SESSION_TIMEOUT_MS: '6000',
      CONSUMER_SLICE_MAX_BYTES: '65536',
      PRODUCER_INTERVAL_MS: '250',
      LOG_LEVEL: 'debug',
      EVENT_MAX_BYTES: '65536',
      EVENT_MAX_DEPTH: '40',
      LOG_FORMAT: 'json',
      STACK_POSTGRES: 'embedded',
    };

    it('reads every variable, splitting the broker list and converting numbers', () => {
      expect(readConfig(env)).to.deep.equal({
        databaseUrl: 'postgresql://app:secret@db.internal:5432/shop',
        migrationsDatabaseUrl: 'postgresql://app:secret@db.internal:5432/shop',
        database: {
          url: 'postgresql://app:secret@db.internal:5432/shop',
          variable: 'DATABASE_URL',
        },
        migrationsDatabase: {
          url: 'postgresql://app:secret@db.internal:5432/shop',
          variable: 'DATABASE_URL',
        },
        postgresAdminUrl: 'postgresql://app:secret@db.internal:5432/postgres',
        kafkaBrokers: ['kafka-1:9092', 'kafka-2:9093'],
        kafkaClientId: 'ingest',
        kafkaSecurity: {},
        kafkaClient: 'platformatic',
        kafkaCompression: 'zstd',
        kafkaMaxDecompressedBatchBytes: 1_000_000,
        topic: 'orders',
        dlqTopic: 'orders.dlq',
        topicPartitions: 12,
        consumerGroupId: 'orders-consumer',
        partitionsConsumedConcurrently: 4,
        consumerSessionTimeoutMs: 6000,
        consumerStuckAfterMs: 60_000,
        consumerSliceMaxBytes: 65_536,
        httpHost: '127.0.0.1',
        httpPort: 9464,
        producerIntervalMs: 250,
        logLevel: 'debug',
        eventLimits: { maxBytes: 65_536, maxDepth: 40 },
        logFormat: 'json',
        stackPostgres: 'embedded',
      });
    });

    it('uses separate owner and admin connections when they are given', () => {
      const config = readConfig({
        ...env,
        MIGRATIONS_DATABASE_URL: 'postgres://owner:pw@db.internal:5432/shop',
        POSTGRES_ADMIN_URL: 'postgres://root:pw@db.internal:5432/postgres',
      });
      expect(config.migrationsDatabaseUrl).to.equal('postgres://owner:pw@db.internal:5432/shop');
      expect(config.postgresAdminUrl).to.equal('postgres://root:pw@db.internal:5432/postgres');
    });

    it('trims surrounding whitespace', () => {
      expect(readConfig({ KAFKA_TOPIC: '  orders \n', LOG_LEVEL: ' warn ' })).to.include({
        topic: 'orders',
        logLevel: 'warn',
      });
    });

    it('uses the default for a variable that is blank', () => {
      expect(readConfig({ KAFKA_TOPIC: '   ', LOG_LEVEL: '' })).to.include({
        topic: defaults.KAFKA_TOPIC,
        logLevel: defaults.LOG_LEVEL,
      });
    });

    it('ignores variables it does not know', () => {
      expect(readConfig({ UNRELATED: 'x' })).to.deep.equal(readConfig({}));
    });
  });

  describe('given an invalid value', () => {
    const invalid: [name: string, value: string][] = [
      ['KAFKA_TOPIC_PARTITIONS', 'zero'],
      ['KAFKA_TOPIC_PARTITIONS', '0'],
      ['KAFKA_TOPIC_PARTITIONS', '-3'],
      ['KAFKA_TOPIC_PARTITIONS', '1.5'],
      ['CONSUMER_PARTITIONS_CONCURRENTLY', '0'],
      ['PRODUCER_INTERVAL_MS', '10s'],
      ['KAFKA_BROKERS', 'nohost'],
      ['KAFKA_BROKERS', 'kafka:9092,nohost'],
      ['KAFKA_BROKERS', 'kafka:port'],
      ['LOG_LEVEL', 'loud'],
      ['LOG_FORMAT', 'text'],
      ['KAFKA_CLIENT', 'rdkafka'],
      ['KAFKA_COMPRESSION', 'brotli'],
      ['KAFKA_MAX_DECOMPRESSED_BATCH_BYTES', '0'],
      ['CONSUMER_SLICE_MAX_BYTES', '-1'],
      ['STACK_POSTGRES', 'docker'],
      ['DATABASE_URL', 'mysql://x'],
      ['KAFKA_TOPIC', 'product events'],
      ['KAFKA_DLQ_TOPIC', 'dlq/topic'],
    ];
    for (const [name, value] of invalid) {
      it(`throws a ConfigError naming ${name} for "${value}"`, () => {
        expect(configErrorFrom({ [name]: value }).message).to.include(name);
      });
    }

    it('throws a ConfigError naming both topics when KAFKA_DLQ_TOPIC equals KAFKA_TOPIC', () => {
      const error = configErrorFrom({ KAFKA_TOPIC: 'orders', KAFKA_DLQ_TOPIC: 'orders' });
      expect(error.message).to.include('KAFKA_DLQ_TOPIC').and.to.include('KAFKA_TOPIC');
    });

    it('throws when KAFKA_DLQ_TOPIC equals the default topic', () => {
      configErrorFrom({ KAFKA_DLQ_TOPIC: defaults.KAFKA_TOPIC });
    });

    it('throws a ConfigError naming KAFKA_BROKERS when the list holds no broker', () => {
      expect(configErrorFrom({ KAFKA_BROKERS: ' , ' }).message).to.include('KAFKA_BROKERS');
    });

    it('gives the error the name ConfigError', () => {
      expect(configErrorFrom({ LOG_LEVEL: 'loud' }).name).to.equal('ConfigError');
    });
  });

  describe('the database password', () => {
    const password = 's3cr3t-Pa55word';

    it('never appears in the error for a DATABASE_URL that is not postgres://', () => {
      const error = configErrorFrom({ DATABASE_URL: `mysql://admin:${password}@db.internal/shop` });
      expect(error.message).to.include('DATABASE_URL').and.not.to.include(password);
    });

    it('never appears in the error for another invalid variable', () => {
      const error = configErrorFrom({
        DATABASE_URL: `postgres://admin:${password}@db.internal/shop`,
        LOG_LEVEL: 'loud',
      });
      expect(error.message).to.not.include(password);
    });
  });

  describe('the result', () => {
    it('is frozen, broker list included', () => {
      const config = readConfig({ KAFKA_BROKERS: 'a:1,b:2' });
      expect(Object.isFrozen(config)).to.be.true;
      expect(Object.isFrozen(config.kafkaBrokers)).to.be.true;
    });
  });
});
