// Wires processBatch into a consumer group (the messaging port). Per partition batch: process,
// then commit; offsets never move past an event that is not stored or dead-lettered.
import type { Knex } from 'knex';
import type { Config } from '../../runtime/config.ts';
import { failureClassifier, isRecoverable } from '../../domain/errors/classify-error.ts';
import { databaseFailureKind } from '../../storage/database-failure-kind.ts';
import type {
  BatchControl,
  GroupConsumerOptions,
  Messaging,
  PartitionBatch,
} from '../../messaging/port.ts';
import { errorFields, type Logger } from '../../runtime/logger.ts';
import {
  SlicedBatch,
  type BatchDependencies,
  type BatchSummary,
} from '../../pipeline/process-batch.ts';
import { retryTransient, type Retried } from '../../runtime/retry-transient.ts';
import { consumerMaxWritesPerBatch } from '../../pipeline/write-budget.ts';
import { storageSchemaProbe } from '../../storage/storage-schema.ts';
import type { IngestMetrics } from './ingest-metrics.ts';
import { createConsumerStatusTracker, type ConsumerStatusTracker } from './consumer-status.ts';
import { createDeadLetterSink } from '../../pipeline/dead-letter-sink.ts';
import { checkDeadLetterTopic } from '../../pipeline/dead-letter-topic.ts';
import { createProgressLog, type ProgressLog } from './progress-log.ts';
import {
  offsetsWatchIntervalMs,
  watchPartitionOffsets,
  type OffsetsWatch,
} from './partition-offsets-watch.ts';
import { logUnreadableBatch } from '../unreadable-batch-line.ts';

/** Checked before joining the group: a consumer that could not dead-letter would not start. */
async function deadLetterTopicLimit(messaging: Messaging, config: Config, logger: Logger) {
  const admin = await messaging.connectAdmin();
  try {
    // A missing source topic is reported as that (KAFKA_TOPIC_MISSING naming KAFKA_TOPIC) first.
    await admin.partitionOffsets(config.topic);
    const names = { topic: config.topic, dlqTopic: config.dlqTopic, group: config.consumerGroupId };
    return await checkDeadLetterTopic(admin, names, logger);
  } finally {
    await admin.disconnect();
  }
}

export interface ConsumerDependencies {
  readonly config: Config;
  readonly messaging: Messaging;
  readonly db: Knex;
  readonly logger: Logger;
  /** A failure no retry will fix: the caller logs it and exits non-zero. */
  readonly onFatal: (error: unknown) => void;
  readonly metrics?: IngestMetrics;
  /** Where events are stored (default: `db`); the policy's unit tests keep them in memory. */
  readonly storeSliceEvents?: BatchDependencies['storeSliceEvents'];
}

export interface RunningConsumer {
  readonly status: ConsumerStatusTracker;
  /** Finishes the batches in flight, commits their offsets and disconnects. */
  stop(): Promise<void>;
}

/** What the batch handler works with: one per consumer. */
interface ConsumerContext {
  readonly deps: ConsumerDependencies;
  /** A batch's failures come from the client and the database: each reads its own errors. */
  readonly classify: ReturnType<typeof failureClassifier>;
  readonly batchDependencies: BatchDependencies;
  readonly status: ConsumerStatusTracker;
  readonly progress: ProgressLog;
  readonly offsetsWatch: OffsetsWatch;
}

export async function runConsumer(deps: ConsumerDependencies): Promise<RunningConsumer> {
  const { config, messaging, logger } = deps;
  const dlqMaxMessageBytes = await deadLetterTopicLimit(messaging, config, logger);
  const dlqProducer = messaging.createProducer();
  const status = createConsumerStatusTracker({
    topic: config.topic,
    stuckAfterMs: config.consumerStuckAfterMs,
  });
  deps.metrics?.observePartitions(() => status.snapshot());
  const context: ConsumerContext = {
    deps,
    classify: failureClassifier(messaging.failureKind, databaseFailureKind),
    status,
    progress: createProgressLog(logger, () => status.snapshot().lag),
    offsetsWatch: watchPartitionOffsets({
      messaging,
      topic: config.topic,
      groupId: config.consumerGroupId,
      status,
      logger,
      everyMs: offsetsWatchIntervalMs(config.consumerStuckAfterMs),
    }),
    batchDependencies: {
      db: deps.db,
      storageSchema: storageSchemaProbe(deps.db),
      sendDeadLetters: createDeadLetterSink({
        producer: dlqProducer,
        topic: config.dlqTopic,
        maxMessageBytes: dlqMaxMessageBytes,
        logger,
      }),
      eventLimits: config.eventLimits,
      sliceMaxBytes: config.consumerSliceMaxBytes,
      maxWrites: consumerMaxWritesPerBatch,
      ...(deps.storeSliceEvents === undefined ? {} : { storeSliceEvents: deps.storeSliceEvents }),
    },
  };
  await dlqProducer.connect();
  const consumer = await messaging.consume(groupOptions(context));
  return {
    status,
    async stop() {
      // The producer's connection would keep the process alive: closed even if the consumer's fails.
      try {
        await consumer.stop();
      } finally {
        context.progress.flush();
        await context.offsetsWatch.stop();
        await dlqProducer.disconnect();
      }
    },
  };
}

function groupOptions(context: ConsumerContext): GroupConsumerOptions {
  const { deps, status } = context;
  const { config, logger } = deps;
  // Said once per rebalance, whichever side noticed it first (kafkajs also logs its own warning).
  let rejoining = false;
  return {
    topic: config.topic,
    groupId: config.consumerGroupId,
    sessionTimeoutMs: config.consumerSessionTimeoutMs,
    partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
    // A group with no committed offset starts at the earliest event, so a new deployment ingests
    // the backlog instead of skipping it.
    fromBeginning: true,
    restartOnFailure: (error) => isRecoverable(context.classify(error)),
    onCrash: (error, restarting) => {
      status.left();
      if (restarting)
        logger.info('consumer restarting as a new group member after a failure', {
          groupId: config.consumerGroupId,
          ...errorFields(error),
        });
      else deps.onFatal(error);
    },
    onReadingResumed: (error) =>
      logger.warn('consumer reading resumed from the committed offsets after a failure', {
        groupId: config.consumerGroupId,
        ...errorFields(error),
      }),
    onRejoining: () => {
      if (rejoining) return;
      rejoining = true;
      logger.info('consumer group rebalancing, rejoining', { groupId: config.consumerGroupId });
    },
    onRecordsWithoutMessages: (partition, from, to) =>
      status.recordsWithoutMessages(partition, from, to),
    onJoined: (partitions) => {
      rejoining = false;
      status.joined(partitions);
      context.offsetsWatch.refresh();
      logger.info('joined consumer group', { groupId: config.consumerGroupId, partitions });
    },
    onLeft: () => status.left(),
    handle: (batch, control) => settlePartitionBatch(context, batch, control),
  };
}

/**
 * The consumer's batch handler: settles the batch (retrying a passing failure in place), commits
 * it once every event is stored or dead-lettered, and rethrows what ends the batch uncommitted.
 */
async function settlePartitionBatch(
  context: ConsumerContext,
  batch: PartitionBatch,
  control: BatchControl,
): Promise<void> {
  const last = batch.messages.at(-1);
  if (last === undefined || !control.isActive()) {
    if (control.isActive()) reportUnreadable(context, batch);
    return;
  }
  const startedAt = performance.now();
  const next = BigInt(last.offset) + 1n;
  // Offsets from the client's fetch: the broker's reading (offsetsWatch) may be seconds old.
  const highWatermark = next + BigInt(batch.lag());
  const position = BigInt(batch.messages[0]?.offset ?? last.offset);
  context.status.offsetsSeen(batch.partition, { position, highWatermark });
  try {
    const outcome = await settleWithRetries(context, batch, control);
    // Stopping or rebalanced mid-retry: leave the offset where it is; the next owner re-reads.
    if (!outcome.done) return;
    // The write budget may have settled only the first messages: those are committed, and the
    // client hands over the rest again, after the other partitions' batches had a turn.
    const settled = outcome.value.received;
    const whole = settled === batch.messages.length;
    const through = whole ? undefined : batch.messages[settled - 1]?.offset;
    if (!whole && through === undefined) return; // nothing settled: the batch is read again
    const durationMs = performance.now() - startedAt;
    countSettled(context, outcome.value, durationMs);
    await control.commit(through);
    const position = through === undefined ? next : BigInt(through) + 1n;
    context.status.offsetsSeen(batch.partition, { position, highWatermark });
    context.deps.logger.debug('batch stored', {
      partition: batch.partition,
      lastOffset: through ?? last.offset,
      ...outcome.value,
      durationMs: Math.round(durationMs),
    });
    if (whole) reportUnreadable(context, batch);
  } catch (error) {
    throw batchAbandoned(context, batch, error);
  }
}

function settleWithRetries(
  context: ConsumerContext,
  batch: PartitionBatch,
  control: BatchControl,
): Promise<Retried<BatchSummary>> {
  const { deps, batchDependencies } = context;
  const source = {
    topic: batch.topic,
    partition: batch.partition,
    group: deps.config.consumerGroupId,
  };
  // One across retries: a retry goes on from the first slice not yet settled.
  const slicedBatch = new SlicedBatch(
    { ...batchDependencies, keepAlive: () => control.heartbeat() },
    source,
    batch.messages,
  );
  return retryTransient(() => slicedBatch.settle(), {
    classify: context.classify,
    keepAlive: () => control.heartbeat(),
    shouldContinue: () => control.isActive(),
    onRetry: (error, attempt, delayMs) => {
      deps.metrics?.recordRetry(error);
      deps.logger.warn('batch failed for a passing reason, retrying', {
        partition: batch.partition,
        attempt,
        delayMs,
        ...errorFields(error),
      });
    },
  });
}

/**
 * Counted once settled, before the commit: a commit the broker applied but whose answer was lost
 * (a coordinator failing over) is never read again, and its messages were counted by nobody. A
 * commit that really failed is read again, and counted again, as its outcomes are (duplicates):
 * the counter and the outcomes always add up.
 */
function countSettled(
  { deps, progress }: ConsumerContext,
  summary: BatchSummary,
  durationMs: number,
): void {
  deps.metrics?.recordBatch(summary, durationMs / 1000);
  progress.batchStored(summary);
}

/**
 * Here from a heartbeat (while retrying an outage or isolating bad rows), a commit, or a failure
 * no retry fixes. Group churn: the batch is abandoned with its offset unresolved, and rethrowing
 * the original error is what makes the client rejoin; the partition's owner re-reads it.
 * Transient: the client itself failed (a broker restart); it retries or restarts. Anything else
 * also ends the process.
 */
function batchAbandoned(context: ConsumerContext, batch: PartitionBatch, error: unknown): unknown {
  const kind = context.classify(error);
  if (kind === 'group-churn') {
    context.deps.logger.info('consumer group changed under the batch, rejoining', {
      partition: batch.partition,
      ...errorFields(error),
    });
  } else if (kind !== 'transient') context.deps.onFatal(error);
  return error;
}

// The adapter stops the partition after the handler returns; this says so, once per stop.
function reportUnreadable({ deps, status }: ConsumerContext, batch: PartitionBatch): void {
  const { topic, partition, unreadable } = batch;
  if (unreadable === undefined || !status.partitionStopped(partition, unreadable.offset)) return;
  const at = { topic, partition, ...unreadable };
  logUnreadableBatch(deps.logger, at, 'its partition stays stopped until the consumer restarts');
  deps.metrics?.recordUnreadableBatch(partition, status.snapshot().stoppedPartitions.length);
}
