// Builds the dead-letter record for a message that can never be stored: the original key, value
// and headers untouched, plus headers that say why the event failed and where it came from, so it
// can be found, fixed and redriven.
import type { Rejection } from '../domain/errors/error-codes.ts';
import type { InboundMessage, OutboundMessage } from '../messaging/message.ts';

/** Header names of a dead letter. */
export const deadLetterHeaders = Object.freeze({
  code: 'dlq.error.code',
  reason: 'dlq.error.reason',
  topic: 'dlq.source.topic',
  partition: 'dlq.source.partition',
  offset: 'dlq.source.offset',
  group: 'dlq.consumer.group',
  failedAt: 'dlq.failed.at',
});

export interface DeadLetterSource {
  readonly topic: string;
  readonly partition: number;
  readonly group: string;
}

export function toDeadLetter(
  message: InboundMessage,
  rejection: Rejection,
  source: DeadLetterSource,
  failedAt: Date,
): OutboundMessage {
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
