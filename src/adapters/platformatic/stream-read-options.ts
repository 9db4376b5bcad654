// How every message stream of the adapter fetches. What the process holds of Kafka's records is
// bounded here and in stream-rounds.ts (docs/performance.md derives the bound):
// - a fetch response carries at most `maxBytes` of record batches, `maxBytesPerPartition` per
//   partition (the broker exceeds either only by one record batch, when that batch alone is larger);
// - it is decoded up to responseDecodedMaxBytes of record bytes beyond its first batch
//   (fetch-response-reader.ts), the rest fetched again later;
// - the stream fetches again only once its buffer is empty (a high-water mark of one message), so
//   it holds one decoded response, and fetches the next only while the last round of it is handled.
export const streamReadOptions = {
  maxBytes: 4 * 1024 * 1024,
  maxBytesPerPartition: 1024 * 1024,
  maxWaitTime: 1_000,
  highWaterMark: 1,
} as const;
