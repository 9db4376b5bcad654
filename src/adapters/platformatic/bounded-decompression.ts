// Workaround for @platformatic/kafka 2.12.1: it decompresses a fetched record batch with no limit
// (protocol/compression.js, used by records.js readRecordsBatch), so one batch that compresses well
// can take all the heap. Its codec table (`compressionsAlgorithms`, exported, shared with the
// by-bitmask table) gets the bounded decoders of messaging/compression/: a batch past
// KAFKA_MAX_DECOMPRESSED_BATCH_BYTES, or corrupt, throws a CodecError out of the client's fetch
// parsing, with its reason, instead of being decoded. Compressing is left to the client.
import { compressionsAlgorithms } from '@platformatic/kafka';
import { type CodecName, decompress } from '../../messaging/compression/codecs.ts';

const codecs: readonly CodecName[] = ['gzip', 'snappy', 'lz4', 'zstd'];

/** What the client hands a codec: a Buffer, or its DynamicBuffer holding one. */
const bytesOf = (data: Buffer | { readonly buffer: Buffer }): Buffer =>
  Buffer.isBuffer(data) ? data : data.buffer;

/** Process-wide, as the client's codec table is: the last call sets the cap. */
export function boundPlatformaticDecompression(maxDecompressedBatchBytes: number): void {
  for (const codec of codecs) {
    (compressionsAlgorithms[codec] as { decompressSync: unknown }).decompressSync = (
      data: Buffer | { readonly buffer: Buffer },
    ) => decompress(codec, bytesOf(data), maxDecompressedBatchBytes);
  }
}
