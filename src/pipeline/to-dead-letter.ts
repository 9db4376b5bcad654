// Builds the dead-letter record for a message that can never be stored.
import type { Message } from 'kafkajs';
import type { Rejection } from '../domain/errors/error-codes.ts';
import type { SourceMessage } from '../messaging/message.ts';
import { deadLetterHeaders } from './dead-letter-headers.ts';

export interface DeadLetterSource {
  readonly topic: string;
  readonly partition: number;
  readonly group: string;
}

export function toDeadLetter(
  message: SourceMessage,
  rejection: Rejection,
  source: DeadLetterSource,
  failedAt: Date,
): Message {
  // Old dead-letter headers go: a redriven event that fails again says only why it failed now.
  const kept = Object.entries(message.headers ?? {}).filter(
    ([name, value]) => value !== undefined && !name.startsWith('dlq.'),
  );
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...Object.fromEntries(kept),
      [deadLetterHeaders.code]: rejection.code,
      [deadLetterHeaders.reason]: rejection.reason,
      [deadLetterHeaders.topic]: source.topic,
      [deadLetterHeaders.partition]: String(source.partition),
      [deadLetterHeaders.offset]: message.offset,
      [deadLetterHeaders.group]: source.group,
      [deadLetterHeaders.failedAt]: failedAt.toISOString(),
    },
  };
}
