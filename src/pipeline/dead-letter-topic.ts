// The dead-letter topic, checked before the first batch (consumer and redrive): it must exist, and
// its max.message.bytes must hold at least a reference letter, else nothing could ever be
// dead-lettered and a partition would wait on its first bad message. A topic that holds a
// reference letter but not the source's largest message plus the dead-letter headers is usable:
// larger letters go as references (their originals stay in the source topic), and one line at
// start says how to keep every original instead.
import { ServiceError } from '../domain/errors/error-codes.ts';
import type { Admin } from '../messaging/port.ts';
import type { Logger } from '../runtime/logger.ts';
import { largestReferenceLetterBytes } from './reference-letter.ts';

interface DeadLetterTopicNames {
  /** Where events come from: its max.message.bytes bounds a dead letter's original. */
  readonly topic: string;
  readonly dlqTopic: string;
  readonly group: string;
}

/** The dead-letter topic's max.message.bytes; throws DEAD_LETTER_TOPIC_UNUSABLE. */
export async function checkDeadLetterTopic(
  admin: Admin,
  names: DeadLetterTopicNames,
  logger: Logger,
): Promise<number> {
  const { topic, dlqTopic } = names;
  const headerBytes = largestReferenceLetterBytes({ topic, group: names.group });
  const sourceBytes = (await admin.topicMaxMessageBytes(topic)) ?? 0;
  const everyOriginal = sourceBytes + headerBytes;
  const limit = await admin.topicMaxMessageBytes(dlqTopic);
  if (limit === undefined) {
    throw new ServiceError(
      'DEAD_LETTER_TOPIC_UNUSABLE',
      `dead-letter topic ${dlqTopic} does not exist: create it (with max.message.bytes=${everyOriginal} to keep every original) or correct KAFKA_DLQ_TOPIC`,
    );
  }
  if (limit < headerBytes) {
    throw new ServiceError(
      'DEAD_LETTER_TOPIC_UNUSABLE',
      `dead-letter topic ${dlqTopic} has max.message.bytes=${limit}, too small for even a reference letter: set it to at least ${headerBytes} (${everyOriginal} keeps every original)`,
    );
  }
  if (limit < everyOriginal) {
    logger.warn(
      'dead-letter topic smaller than the largest dead letter: larger ones go as reference letters, their originals left in the source topic',
      { dlqTopic, setting: 'max.message.bytes', value: limit, toKeepEveryOriginal: everyOriginal },
    );
  }
  return limit;
}
