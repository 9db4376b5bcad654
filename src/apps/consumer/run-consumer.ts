// Wires processBatch into a kafkajs consumer group. Per partition batch: process, then resolve the
// last offset, then commit; offsets never move past an event that is not stored or dead-lettered.
import type { Kafka } from 'kafkajs';
import type { Knex } from 'knex';
import type { Config } from '../../runtime/config.ts';
import { createProducer } from '../../adapters/kafkajs/create-producer.ts';
import { sendDeadLetters } from '../../adapters/kafkajs/send-dead-letters.ts';
import { classifyError, isRecoverable } from '../../domain/errors/classify-error.ts';
import { errorFields, type Logger } from '../../runtime/logger.ts';
import { processBatch, type BatchDependencies } from '../../pipeline/process-batch.ts';
import { retryTransient } from '../../runtime/retry-transient.ts';
import { storageSchemaProbe } from '../../storage/storage-schema.ts';
import type { IngestMetrics } from './ingest-metrics.ts';
import { createConsumerStatusTracker, type ConsumerStatusTracker } from './consumer-status.ts';

export interface ConsumerDependencies {
  readonly config: Config;
  readonly kafka: Kafka;
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
  const { config, kafka, db, logger } = deps;
  const dlqProducer = createProducer(kafka);
  const consumer = kafka.consumer({
    groupId: config.consumerGroupId,
    allowAutoTopicCreation: false,
    sessionTimeout: config.consumerSessionTimeoutMs,
    retry: { restartOnFailure: (error) => Promise.resolve(isRecoverable(classifyError(error))) },
  });

  const status = createConsumerStatusTracker();
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    status.left();
    if (!payload.restart) deps.onFatal(payload.error);
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const partitions = payload.memberAssignment[config.topic] ?? [];
    status.joined(partitions);
    logger.info('joined consumer group', { groupId: payload.groupId, partitions });
  });
  consumer.on(consumer.events.STOP, () => status.left());

  const storageSchema = storageSchemaProbe(db);
  const batchDependencies: BatchDependencies = {
    db,
    storageSchema,
    sendDeadLetters: (messages) => sendDeadLetters(dlqProducer, config.dlqTopic, messages),
    eventLimits: config.eventLimits,
  };

  await dlqProducer.connect();
  await consumer.connect();
  // fromBeginning: a group with no committed offset starts at the earliest event, so a new
  // deployment ingests the backlog instead of skipping it.
  await consumer.subscribe({ topics: [config.topic], fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
    eachBatch: async (payload) => {
      const { batch } = payload;
      const last = batch.messages.at(-1);
      const shouldContinue = () => payload.isRunning() && !payload.isStale();
      if (last === undefined || !shouldContinue()) return;
      const startedAt = performance.now();
      try {
        const outcome = await retryTransient(
          () =>
            processBatch(
              { ...batchDependencies, keepAlive: () => payload.heartbeat() },
              { topic: batch.topic, partition: batch.partition, group: config.consumerGroupId },
              batch.messages,
            ),
          {
            keepAlive: () => payload.heartbeat(),
            shouldContinue,
            onRetry: (error, attempt, delayMs) => {
              deps.metrics?.recordRetry();
              logger.warn('batch failed for a passing reason, retrying', {
                partition: batch.partition,
                attempt,
                delayMs,
                ...errorFields(error),
              });
            },
          },
        );
        // Stopping or rebalanced mid-retry: leave the offset where it is; the next owner re-reads.
        if (!outcome.done) return;
        payload.resolveOffset(last.offset);
        await payload.commitOffsetsIfNecessary();
        const durationMs = performance.now() - startedAt;
        const lag = Number(batch.offsetLag());
        status.batchStored(batch.partition, lag);
        deps.metrics?.recordBatch(batch.partition, outcome.value, durationMs / 1000, lag);
        logger.debug('batch stored', {
          partition: batch.partition,
          lastOffset: last.offset,
          ...outcome.value,
          durationMs: Math.round(durationMs),
        });
      } catch (error) {
        // Here from a heartbeat (while retrying an outage or isolating bad rows) or a commit.
        // Group churn: the batch is abandoned with its offset unresolved, and rethrowing the
        // original error is what makes kafkajs's runner rejoin; the partition's owner re-reads it.
        // Transient: kafkajs itself failed (a broker restart); it retries or restarts.
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
        await consumer.disconnect();
      } finally {
        await dlqProducer.disconnect();
      }
    },
  };
}
