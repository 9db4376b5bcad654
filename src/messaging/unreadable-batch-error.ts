// What a range read (replay, redrive) ends with when it meets a record batch the client cannot
// read: the range can never be finished, so the command stops with this instead of waiting.
import { ServiceError } from '../domain/errors/error-codes.ts';
import type { UnreadableBatch } from './port.ts';

export class UnreadableBatchError extends ServiceError {
  override name = 'UnreadableBatchError';
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly reason: string;

  constructor(topic: string, partition: number, batch: UnreadableBatch) {
    super(
      'KAFKA_BATCH_UNREADABLE',
      `${topic} partition ${partition}: the record batch at offset ${batch.offset} cannot be read (${batch.reason})`,
    );
    this.topic = topic;
    this.partition = partition;
    this.offset = batch.offset;
    this.reason = batch.reason;
  }
}
