// Wires processBatch into a consumer group (the messaging port). Per partition batch: process,
// then commit; offsets never move past an event that is not stored or dead-lettered.
import type { Knex } from 'knex';
import type { Config } from '../../runtime/config.ts';
import { classifyError, isRecoverable } from '../../domain/errors/classify-error.ts';
import type { Messaging, PartitionBatch } from '../../messaging/port.ts';
import { errorFields, type Logger } from '../../runtime/logger.ts';
import { SlicedBatch, type BatchDependencies } from '../../pipeline/process-batch.ts';
import { consumerMaxWritesPerBatch } from '../../pipeline/write-budget.ts';
import { retryTransient } from '../../runtime/retry-transient.ts';
import { storageSchemaProbe } from '../../storage/storage-schema.ts';
import type { IngestMetrics } from './ingest-metrics.ts';
import { createConsumerStatusTracker, type ConsumerStatusTracker } from './consumer-status.ts';
import { createDeadLetterSink } from '../../pipeline/dead-letter-sink.ts';
import { checkDeadLetterTopic } from '../../pipeline/dead-letter-topic.ts';
import { createProgressLog } from './progress-log.ts';
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
}

export interface RunningConsumer {
  readonly status: ConsumerStatusTracker;
  /** Finishes the batches in flight, commits their offsets and disconnects. */
  stop(): Promise<void>;
}

export async function runConsumer(deps: ConsumerDependencies): Promise<RunningConsumer> {
  const { config, messaging, db, logger } = deps;
  const dlqMaxMessageBytes = await deadLetterTopicLimit(messaging, config, logger);
  const dlqProducer = messaging.createProducer();
  const status = createConsumerStatusTracker();
  const progress = createProgressLog(logger, () => status.snapshot().lag);
  const batchDependencies: BatchDependencies = {
    db,
    storageSchema: storageSchemaProbe(db),
    sendDeadLetters: createDeadLetterSink({
      producer: dlqProducer,
      topic: config.dlqTopic,
      maxMessageBytes: dlqMaxMessageBytes,
      logger,
    }),
    eventLimits: config.eventLimits,
    sliceMaxBytes: config.consumerSliceMaxBytes,
    maxWrites: consumerMaxWritesPerBatch,
  };

  // The adapter stops the partition after the handler returns; this says so, once per stop.
  const reportUnreadable = (batch: PartitionBatch) => {
    const { topic, partition, unreadable } = batch;
    if (unreadable === undefined || !status.partitionStopped(partition, unreadable.offset)) return;
    const at = { topic, partition, ...unreadable };
    logUnreadableBatch(logger, at, 'its partition stays stopped until the consumer restarts');
    deps.metrics?.recordUnreadableBatch(partition, status.snapshot().stoppedPartitions.length);
  };

  await dlqProducer.connect();
  const consumer = await messaging.consume({
    topic: config.topic,
    groupId: config.consumerGroupId,
    sessionTimeoutMs: config.consumerSessionTimeoutMs,
    partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
    // A group with no committed offset starts at the earliest event, so a new deployment ingests
    // the backlog instead of skipping it.
    fromBeginning: true,
    restartOnFailure: (error) => isRecoverable(classifyError(error)),
    onCrash: (error, restarting) => {
      status.left();
      if (!restarting) deps.onFatal(error);
    },
    onJoined: (partitions) => {
      status.joined(partitions);
      logger.info('joined consumer group', { groupId: config.consumerGroupId, partitions });
    },
    onLeft: () => status.left(),
    handle: async (batch, control) => {
      const last = batch.messages.at(-1);
      if (last === undefined || !control.isActive()) {
        if (control.isActive()) reportUnreadable(batch);
        return;
      }
      const startedAt = performance.now();
      try {
        // One across retries: a retry goes on from the first slice not yet settled.
        const slicedBatch = new SlicedBatch(
          { ...batchDependencies, keepAlive: () => control.heartbeat() },
          { topic: batch.topic, partition: batch.partition, group: config.consumerGroupId },
          batch.messages,
        );
        const outcome = await retryTransient(() => slicedBatch.settle(), {
          keepAlive: () => control.heartbeat(),
          shouldContinue: () => control.isActive(),
          onRetry: (error, attempt, delayMs) => {
            deps.metrics?.recordRetry(error);
            logger.warn('batch failed for a passing reason, retrying', {
              partition: batch.partition,
              attempt,
              delayMs,
              ...errorFields(error),
            });
          },
        });
        // Stopping or rebalanced mid-retry: leave the offset where it is; the next owner re-reads.
        if (!outcome.done) return;
        // The write budget may have settled only the first messages: those are committed, and
        // the client hands over the rest again, after the other partitions' batches had a turn.
        const settled = outcome.value.received;
        const whole = settled === batch.messages.length;
        const through = whole ? undefined : batch.messages[settled - 1]?.offset;
        if (!whole && through === undefined) return; // nothing settled: the batch is read again
        await control.commit(through);
        const durationMs = performance.now() - startedAt;
        const lag = batch.lag() + batch.messages.length - settled;
        status.batchStored(batch.partition, lag);
        deps.metrics?.recordBatch(batch.partition, outcome.value, durationMs / 1000, lag);
        progress.batchStored(outcome.value);
        logger.debug('batch stored', {
          partition: batch.partition,
          lastOffset: through ?? last.offset,
          ...outcome.value,
          durationMs: Math.round(durationMs),
        });
        if (whole) reportUnreadable(batch);
      } catch (error) {
        // Here from a heartbeat (while retrying an outage or isolating bad rows) or a commit.
        // Group churn: the batch is abandoned with its offset unresolved, and rethrowing the
        // original error is what makes the client rejoin; the partition's owner re-reads it.
        // Transient: the client itself failed (a broker restart); it retries or restarts.
        const kind = classifyError(error);
        if (kind === 'group-churn') {
          logger.info('consumer group changed under the batch, rejoining', {
            partition: batch.partition,
            ...errorFields(error),
          });
        } else if (kind !== 'transient') deps.onFatal(error);
        throw error;
      }
    },
  });

  return {
    status,
    async stop() {
      // The producer's connection would keep the process alive: closed even if the consumer's fails.
      try {
        await consumer.stop();
      } finally {
        progress.flush();
        await dlqProducer.disconnect();
      }
    },
  };
}
