// Prometheus metrics of the consumer, on a registry of its own (no global state, one per consumer).
import type { Knex } from 'knex';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BatchSummary } from '../../pipeline/process-batch.ts';
import { ServiceError } from '../../domain/errors/error-codes.ts';
import type { ConsumerStatus } from './consumer-status.ts';

export interface IngestMetrics {
  readonly registry: Registry;
  /** A batch settled (stored and dead-lettered), counted before its commit. */
  recordBatch(summary: BatchSummary, durationSeconds: number): void;
  /** Where each assigned partition's lag and stuck state are read at every scrape. */
  observePartitions(status: () => Pick<ConsumerStatus, 'lagByPartition' | 'stuckPartitions'>): void;
  /** A batch attempt failed for a passing reason; a ServiceError's code labels it. */
  recordRetry(error?: unknown): void;
  /** A record batch the client cannot read stopped `partition`; `stopped` partitions are now. */
  recordUnreadableBatch(partition: number, stopped: number): void;
}

interface KnexPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

export function createIngestMetrics(db: Knex): IngestMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const consumed = new Counter({
    name: 'product_events_consumed_total',
    help: 'Kafka messages read from the topic.',
    registers,
  });
  const outcomes = new Counter({
    name: 'product_events_outcomes_total',
    help: 'What became of each message: stored, duplicate, skipped or dead_lettered.',
    labelNames: ['outcome', 'schema_version', 'reason'],
    registers,
  });
  const batchSize = new Histogram({
    name: 'product_events_batch_size',
    help: 'Messages per partition batch.',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
    registers,
  });
  const batchSeconds = new Histogram({
    name: 'product_events_batch_duration_seconds',
    help: 'Time to decode, validate, store and dead-letter one batch.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const retries = new Counter({
    name: 'product_events_retries_total',
    help: 'Batch attempts that failed for a passing reason (database or broker away) and were retried.',
    registers,
  });
  const waits = new Counter({
    name: 'product_events_partition_waits_total',
    help: 'Retries of a batch held for a reason the service names by code: DATABASE_LACKS_V2, DATABASE_REFUSES_EVERY_EVENT, DEAD_LETTER_NOT_SENT.',
    labelNames: ['code'],
    registers,
  });
  let partitionStatus: Parameters<IngestMetrics['observePartitions']>[0] | undefined;
  // Read at each scrape: a series for every partition assigned, gone with its revocation.
  new Gauge({
    name: 'product_events_consumer_lag',
    help: "Messages in the partition after its position (the group's committed offset, or the batch in hand), per partition this process is assigned, from the broker's high watermark.",
    labelNames: ['partition'],
    registers,
    collect() {
      this.reset();
      for (const { partition, lag } of partitionStatus?.().lagByPartition ?? [])
        if (lag !== undefined) this.set({ partition: String(partition) }, lag);
    },
  });
  new Gauge({
    name: 'product_events_partition_stuck',
    help: 'Per partition this process is assigned: 1 when behind with no progress for CONSUMER_STUCK_AFTER_MS (/readyz answers 503 naming it), else 0.',
    labelNames: ['partition'],
    registers,
    collect() {
      this.reset();
      const status = partitionStatus?.();
      const stuck = new Set(status?.stuckPartitions.map(({ partition }) => partition));
      for (const { partition } of status?.lagByPartition ?? [])
        this.set({ partition: String(partition) }, stuck.has(partition) ? 1 : 0);
    },
  });
  const unreadableBatches = new Counter({
    name: 'product_events_unreadable_batches_total',
    help: 'Record batches the Kafka client could not read; each stopped its partition until restart.',
    labelNames: ['partition'],
    registers,
  });
  const stoppedPartitions = new Gauge({
    name: 'product_events_partitions_stopped',
    help: 'Partitions stopped at a record batch the client cannot read (KAFKA_BATCH_UNREADABLE).',
    registers,
  });
  const pool = (db.client as { pool?: KnexPool }).pool;
  new Gauge({
    name: 'product_events_db_pool_connections',
    help: 'Database pool connections by state.',
    labelNames: ['state'],
    registers,
    collect() {
      this.set({ state: 'used' }, pool?.numUsed() ?? 0);
      this.set({ state: 'free' }, pool?.numFree() ?? 0);
      this.set({ state: 'pending' }, pool?.numPendingAcquires() ?? 0);
    },
  });

  return {
    registry,
    recordBatch(summary, durationSeconds) {
      consumed.inc(summary.received);
      for (const [version, count] of Object.entries(summary.storedBySchemaVersion)) {
        if (count > 0)
          outcomes.inc({ outcome: 'stored', schema_version: version, reason: '' }, count);
      }
      if (summary.repeats > 0)
        outcomes.inc({ outcome: 'duplicate', schema_version: '', reason: '' }, summary.repeats);
      if (summary.skipped > 0) {
        outcomes.inc(
          { outcome: 'skipped', schema_version: '', reason: 'other-event-type' },
          summary.skipped,
        );
      }
      for (const [code, count] of Object.entries(summary.deadLettered)) {
        if (count > 0)
          outcomes.inc({ outcome: 'dead_lettered', schema_version: '', reason: code }, count);
      }
      batchSize.observe(summary.received);
      batchSeconds.observe(durationSeconds);
    },
    observePartitions(status) {
      partitionStatus = status;
    },
    recordRetry(error) {
      retries.inc();
      if (error instanceof ServiceError) waits.inc({ code: error.code });
    },
    recordUnreadableBatch(partition, stopped) {
      unreadableBatches.inc({ partition: String(partition) });
      stoppedPartitions.set(stopped);
    },
  };
}
