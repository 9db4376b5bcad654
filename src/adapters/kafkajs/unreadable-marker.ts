// A partition batch as kafkajs hands it over, split into its readable messages and the marker
// bounded-fetch-decoding.ts puts where a record batch could not be read (always last).
import type { KafkaMessage } from 'kafkajs';
import type { UnreadableBatch } from '../../messaging/port.ts';
import { unreadableOf } from './bounded-fetch-decoding.ts';

export function splitUnreadable(messages: readonly KafkaMessage[]): {
  readonly messages: readonly KafkaMessage[];
  readonly unreadable?: UnreadableBatch;
} {
  const marker = messages.at(-1);
  const unreadable = marker === undefined ? undefined : unreadableOf(marker);
  return unreadable === undefined ? { messages } : { messages: messages.slice(0, -1), unreadable };
}
