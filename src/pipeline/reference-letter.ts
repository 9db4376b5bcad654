// A dead letter too large for the dead-letter topic goes as a reference letter: no key, no value,
// none of the original headers, only the dead-letter headers (why it failed and where it is) and
// the original's size. The original stays in the source topic, at the partition and offset the
// letter names, for as long as that topic keeps it.
import type { HeaderValue, OutboundMessage } from '../messaging/message.ts';
import { messageBytes } from '../messaging/chunk-by-size.ts';
import { deadLetterHeaders } from './to-dead-letter.ts';

export const referenceLetterHeaders = Object.freeze({
  /** "true" on a reference letter; absent on a dead letter that carries its original. */
  reference: 'dlq.reference',
  /** The original message's key, value and header bytes (the dead-letter headers not counted). */
  originalBytes: 'dlq.original.bytes',
});

/** A reason is ours and short; capped all the same, so a reference letter's size is known. */
const maxReasonChars = 1_024;
/** A record batch's own bytes around its records (Kafka's v2 format: 61), generously. */
export const recordBatchOverheadBytes = 100;

const sizeOf = (value: HeaderValue | Buffer | string | null): number => {
  if (value === null || value === undefined) return 0;
  if (Array.isArray(value)) return value.reduce((sum: number, one) => sum + sizeOf(one), 0);
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
};

const isDeadLetterHeader = (name: string) => name.startsWith('dlq.');

/** The original message's bytes inside a dead letter: key, value and its own headers. */
export function originalBytes(letter: OutboundMessage): number {
  let bytes = sizeOf(letter.key) + sizeOf(letter.value);
  for (const [name, value] of Object.entries(letter.headers ?? {})) {
    if (!isDeadLetterHeader(name)) bytes += Buffer.byteLength(name) + sizeOf(value);
  }
  return bytes;
}

export const isReferenceLetter = (letter: OutboundMessage): boolean =>
  letter.headers?.[referenceLetterHeaders.reference]?.toString() === 'true';

/** Whether the letter, alone in a record batch, stays within the topic's max.message.bytes. */
export const fitsIn = (letter: OutboundMessage, maxMessageBytes: number): boolean =>
  messageBytes(letter) + recordBatchOverheadBytes <= maxMessageBytes;

export function toReferenceLetter(letter: OutboundMessage): OutboundMessage {
  const kept = Object.entries(letter.headers ?? {}).filter(([name]) => isDeadLetterHeader(name));
  const reason = letter.headers?.[deadLetterHeaders.reason]?.toString() ?? '';
  return {
    key: null,
    value: null,
    headers: {
      ...Object.fromEntries(kept),
      [deadLetterHeaders.reason]: reason.slice(0, maxReasonChars),
      [referenceLetterHeaders.reference]: 'true',
      [referenceLetterHeaders.originalBytes]: String(originalBytes(letter)),
    },
  };
}

/** The largest reference letter a source of these names can give: the least room a DLQ needs. */
export function largestReferenceLetterBytes(source: {
  readonly topic: string;
  readonly group: string;
}): number {
  const longest = {
    [deadLetterHeaders.code]: 'X'.repeat(64),
    [deadLetterHeaders.reason]: 'X'.repeat(maxReasonChars * 4), // four UTF-8 bytes a character
    [deadLetterHeaders.topic]: source.topic,
    [deadLetterHeaders.partition]: '2147483647',
    [deadLetterHeaders.offset]: '9223372036854775807',
    [deadLetterHeaders.group]: source.group,
    [deadLetterHeaders.failedAt]: '+275760-09-13T00:00:00.000Z',
    [referenceLetterHeaders.reference]: 'true',
    [referenceLetterHeaders.originalBytes]: '9223372036854775807',
  };
  return messageBytes({ key: null, value: null, headers: longest }) + recordBatchOverheadBytes;
}
