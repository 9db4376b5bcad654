// Cuts a partition batch into the consecutive slices processBatch decodes, stores and dead-letters
// one after another. The heap a decoded event holds grows with its bytes (up to ×21 in the worst
// valid shape, docs/performance.md) and a record batch may decompress to far more than it took on
// the wire, so what is decoded at once is bounded by the messages' value bytes, not by the fetch.
import type { InboundMessage } from '../messaging/message.ts';

export interface SliceLimits {
  /** Message value bytes per slice (CONSUMER_SLICE_MAX_BYTES); a larger message is a slice alone. */
  readonly maxBytes: number;
  /** Messages per slice: bounds the objects and the statements of many small messages. */
  readonly maxMessages: number;
}

/** More messages than a batch of the bench's events holds (about 2 500 in 1 MiB), so no split. */
export const sliceMaxMessages = 5_000;

const valueBytes = (message: InboundMessage) => message.value?.byteLength ?? 0;

/** The batch's messages in slices, in offset order; every slice holds at least one message. */
export function sliceBatch(
  messages: readonly InboundMessage[],
  limits: SliceLimits,
): (readonly InboundMessage[])[] {
  const slices: InboundMessage[][] = [];
  let current: InboundMessage[] = [];
  let currentBytes = 0;
  for (const message of messages) {
    const bytes = valueBytes(message);
    const full = current.length >= limits.maxMessages || currentBytes + bytes > limits.maxBytes;
    if (current.length > 0 && full) {
      slices.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(message);
    currentBytes += bytes;
  }
  if (current.length > 0) slices.push(current);
  return slices;
}
