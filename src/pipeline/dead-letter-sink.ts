// Sends dead letters to the dead-letter topic so that none is lost and none loops. A letter larger
// than the topic takes (its max.message.bytes, read at start; or the broker's refusal, should the
// topic have shrunk since) goes as a reference letter (reference-letter.ts). A send the broker does
// not take for any other reason (the topic deleted, access refused, brokers away) becomes
// DEAD_LETTER_NOT_SENT, retryable: the caller keeps the batch, uncommitted, and tries again.
import { ServiceError } from '../domain/errors/error-codes.ts';
import { chunkBySize, maxRequestBytes, messageBytes } from '../messaging/chunk-by-size.ts';
import type { OutboundMessage } from '../messaging/message.ts';
import { MessageTooLargeError } from '../messaging/message-too-large-error.ts';
import type { DeadLetterSink, Producer } from '../messaging/port.ts';
import type { Logger } from '../runtime/logger.ts';
import {
  fitsIn,
  isReferenceLetter,
  originalBytes,
  recordBatchOverheadBytes,
  toReferenceLetter,
} from './reference-letter.ts';
import { deadLetterHeaders } from './to-dead-letter.ts';

interface DeadLetterSinkOptions {
  readonly producer: Producer;
  readonly topic: string;
  /** The dead-letter topic's max.message.bytes, as dead-letter-topic.ts read it at start. */
  readonly maxMessageBytes: number;
  readonly logger: Logger;
}

const isBug = (error: unknown) =>
  error instanceof TypeError ||
  error instanceof ReferenceError ||
  error instanceof RangeError ||
  error instanceof SyntaxError;

/**
 * The send failed: a bug stays what it is; anything else is the broker not taking the letters,
 * also a failure the messaging layer already named (the dead-letter topic deleted mid-run is
 * KAFKA_TOPIC_MISSING there): here it is a partition waiting on its dead letters.
 */
function notSent(topic: string, count: number, error: unknown): unknown {
  if (isBug(error)) return error;
  if (error instanceof ServiceError && error.code === 'DEAD_LETTER_NOT_SENT') return error;
  const why =
    error instanceof ServiceError
      ? `${error.code}: ${error.message}`
      : error instanceof Error
        ? `${error.name}: ${error.message}`
        : String(error);
  return new ServiceError(
    'DEAD_LETTER_NOT_SENT',
    `${count} dead letter(s) not taken by topic ${topic} (${why}); the partition waits and retries`,
    { cause: error },
  );
}

export function createDeadLetterSink(options: DeadLetterSinkOptions): DeadLetterSink {
  const { producer, topic, maxMessageBytes, logger } = options;

  const asReference = (letter: OutboundMessage): OutboundMessage => {
    const header = (name: string) => letter.headers?.[name]?.toString();
    // Where the original is and why it failed; never its content.
    logger.warn('dead letter too large for the dead-letter topic, sent as a reference letter', {
      topic,
      sourceTopic: header(deadLetterHeaders.topic),
      sourcePartition: header(deadLetterHeaders.partition),
      sourceOffset: header(deadLetterHeaders.offset),
      code: header(deadLetterHeaders.code),
      originalBytes: originalBytes(letter),
      letterBytes: messageBytes(letter),
      maxMessageBytes,
    });
    return toReferenceLetter(letter);
  };

  const send = async (letters: readonly OutboundMessage[]): Promise<void> => {
    try {
      await producer.send(topic, letters);
    } catch (error) {
      if (!(error instanceof MessageTooLargeError)) throw notSent(topic, letters.length, error);
      // The topic takes less than it did at start: one by one, a reference for each refused.
      const [only] = letters;
      if (letters.length > 1) {
        for (const letter of letters) await send([letter]);
      } else if (only !== undefined && !isReferenceLetter(only)) {
        await send([asReference(only)]);
      } else {
        throw notSent(topic, letters.length, error);
      }
    }
  };

  // Every record batch within the topic's limit: both clients put a request's letters for one
  // partition into one record batch.
  const chunkBytes = Math.max(
    1,
    Math.min(maxRequestBytes, maxMessageBytes - recordBatchOverheadBytes),
  );
  return async (letters) => {
    const fitted = letters.map((letter) =>
      fitsIn(letter, maxMessageBytes) ? letter : asReference(letter),
    );
    for (const chunk of chunkBySize(fitted, chunkBytes)) await send(chunk);
  };
}
