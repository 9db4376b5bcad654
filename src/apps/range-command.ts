// The skeleton replay and dead-letter redrive share: read fixed ranges of a topic under a group of
// their own, each partition's messages through the command's handler (retried while the database
// is briefly away), progress on stderr, and a stop on Ctrl+C that a later run picks up from. A
// record batch the client cannot read ends the command with one error line and exit code 1.
import type { Knex } from 'knex';
import type { InboundMessage } from '../messaging/message.ts';
import type { Admin, Messaging, PartitionRange, RangeReadOptions } from '../messaging/port.ts';
import type { Config } from '../runtime/config.ts';
import { loadConfigOrExit } from '../runtime/load-config.ts';
import { createLogger, errorFields, type Logger } from '../runtime/logger.ts';
import { retryTransient, type RetryControl } from '../runtime/retry-transient.ts';
import { failureClassifier } from '../domain/errors/classify-error.ts';
import { databaseFailureKind } from '../storage/database-failure-kind.ts';
import { exitOnFatal, onShutdownSignal } from '../runtime/shutdown.ts';
import { connectDatabase } from '../storage/connection.ts';
import { requireMigrations } from '../storage/require-migrations.ts';
import { explainDatabaseFailure } from '../storage/database-failure.ts';
import { UnreadableBatchError } from '../messaging/unreadable-batch-error.ts';
import { logUnreadableBatch } from './unreadable-batch-line.ts';

interface RangeCommandContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly db: Knex;
  readonly messaging: Messaging;
  /** Connected for the plan; disconnected after the command's finish. */
  readonly admin: Admin;
}

interface RangePlan {
  readonly topic: string;
  readonly groupId: string;
  readonly ranges: readonly PartitionRange[];
  /** keepAlive heartbeats the command's group between the slices of a long batch. */
  readonly handle: (
    partition: number,
    messages: readonly InboundMessage[],
    keepAlive: () => Promise<void>,
  ) => Promise<void>;
  /** The progress line written every second, counts only: never message contents. */
  readonly progress: () => string;
  /** The command's own clean-up and report, after reading has stopped. */
  readonly finish: (how: 'done' | 'interrupted') => Promise<void>;
}

/** How many messages the ranges hold. */
export function messagesIn(ranges: readonly PartitionRange[]): number {
  return ranges.reduce(
    (sum, range) => sum + Number(range.end > range.start ? range.end - range.start : 0n),
    0,
  );
}

/**
 * The range reader's handler: each batch through the command's handler, retried in place while it
 * fails for a passing reason, and committed once handled. Stopping mid-retry leaves it uncommitted
 * for a later run; any other failure ends the read.
 */
export function settleRangeBatches(
  handle: RangePlan['handle'],
  classify: RetryControl['classify'],
  logger: Logger,
): RangeReadOptions['handle'] {
  return async (partition, messages, control) => {
    const keepAlive = () => control.heartbeat();
    const outcome = await retryTransient(() => handle(partition, messages, keepAlive), {
      classify,
      keepAlive,
      shouldContinue: () => control.isActive(),
      onRetry: (error, attempt) =>
        logger.warn('retrying', { partition, attempt, ...errorFields(error) }),
    });
    if (outcome.done) await control.commit();
  };
}

export async function runRangeCommand(options: {
  readonly component: string;
  readonly createMessaging: (config: Config, logger: Logger) => Promise<Messaging>;
  readonly plan: (context: RangeCommandContext) => Promise<RangePlan>;
}): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, config.logFormat).child({
    component: options.component,
  });
  const db = connectDatabase(config.database, undefined, logger);
  const messaging = await options.createMessaging(config, logger);
  const classify = failureClassifier(messaging.failureKind, databaseFailureKind);
  try {
    await requireMigrations(db).catch((error: unknown) => {
      throw explainDatabaseFailure(error, config.database) ?? error;
    });
    const admin = await messaging.connectAdmin();
    const plan = await options.plan({ config, logger, db, messaging, admin });
    const reader = await messaging.readRanges({
      topic: plan.topic,
      groupId: plan.groupId,
      ranges: plan.ranges,
      handle: settleRangeBatches(plan.handle, classify, logger),
    });
    const progress = setInterval(() => process.stderr.write(`${plan.progress()}\n`), 1_000);
    const finish = async (how: 'done' | 'interrupted') => {
      clearInterval(progress);
      await reader.stop();
      await plan.finish(how);
      await admin.disconnect();
      await db.destroy();
    };
    onShutdownSignal(logger, () => finish('interrupted'));
    const unreadable = await reader.finished.then(
      () => undefined,
      (error: unknown) => {
        if (error instanceof UnreadableBatchError) return error;
        throw error;
      },
    );
    if (unreadable !== undefined) {
      // The range can never be finished: say where and why once, keep what was handled, exit 1.
      const outcome = 'the command stops here, with the messages before it handled';
      logUnreadableBatch(logger, unreadable, outcome);
      await finish('interrupted');
      process.exit(1);
    }
    await finish('done');
    process.exit(0);
  } catch (error) {
    exitOnFatal(logger, error);
  }
}
