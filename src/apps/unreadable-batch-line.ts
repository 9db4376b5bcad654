// The one line a command writes for a record batch its Kafka client cannot read (the port's
// UnreadableBatch): the same from the consumer, replay and redrive, so one search finds them all.
// Where the batch is and why it failed; never its bytes.
import type { Logger } from '../runtime/logger.ts';

interface UnreadableBatchAt {
  readonly topic: string;
  readonly partition: number;
  /** The first offset of the batch that could not be read. */
  readonly offset: string;
  readonly reason: string;
}

export function logUnreadableBatch(logger: Logger, at: UnreadableBatchAt, outcome: string): void {
  logger.error(`a record batch cannot be read: ${outcome}`, {
    code: 'KAFKA_BATCH_UNREADABLE',
    topic: at.topic,
    partition: at.partition,
    offset: at.offset,
    reason: at.reason,
  });
}
