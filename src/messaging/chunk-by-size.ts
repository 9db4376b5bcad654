// Splits dead letters into requests of bounded size. Both clients put all of one send's messages for
// a partition into one record batch, and the broker refuses a batch over max.message.bytes (1 MiB by
// default): a backlog of bad messages, or one large one, must not make the dead-letter send fail.
import type { OutboundMessage } from './message.ts';

export const maxRequestBytes = 512 * 1024;

const bytes = (part: OutboundMessage['key'] | undefined) =>
  part === null || part === undefined
    ? 0
    : typeof part === 'string'
      ? Buffer.byteLength(part)
      : part.length;

export function messageBytes(message: OutboundMessage): number {
  let size = 70 + bytes(message.key) + bytes(message.value); // record overhead, generously
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    for (const one of values) size += Buffer.byteLength(name) + bytes(one) + 8;
  }
  return size;
}

export function chunkBySize<M extends OutboundMessage>(
  messages: readonly M[],
  maxBytes = maxRequestBytes,
): M[][] {
  const chunks: M[][] = [];
  let current: M[] = [];
  let currentBytes = 0;
  for (const message of messages) {
    const size = messageBytes(message);
    if (current.length > 0 && currentBytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(message);
    currentBytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
