// The codecs Kafka defines, bounded: both Kafka adapters decompress record batches through here, so
// no batch, however well it compresses, costs more than `maxBytes` of memory once decoded, and every
// failure is one CodecError. gzip and zstd come from Node's zlib; snappy and lz4 from
// @platformatic/wasm-utils (Rust compiled to WebAssembly, no install script, what
// @platformatic/kafka itself uses).
import { CodecError } from './codec-error.ts';
import { lz4CompressFrame, lz4DecompressBounded } from './lz4-frame.ts';
import { snappyCompressFramed, snappyDecompressBounded } from './snappy.ts';
import { zlibCompress, zlibDecompress, zlibDecompressAsync } from './zlib-codecs.ts';

export type CodecName = 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** The codec ids of a record batch's attributes (bits 0 to 2), as Kafka's protocol numbers them. */
export const codecIds: Readonly<Record<CodecName, number>> = Object.freeze({
  gzip: 1,
  snappy: 2,
  lz4: 3,
  zstd: 4,
});

const names = new Map(Object.entries(codecIds).map(([name, id]) => [id, name as CodecName]));

export function codecName(codec: CodecName | number): CodecName {
  if (typeof codec === 'string') return codec;
  const name = names.get(codec);
  if (name === undefined) throw new CodecError(`codec ${codec}`, 'not a codec Kafka defines');
  return name;
}

/** The decompressed bytes; CodecError when corrupt, unknown or over `maxBytes`. */
export function decompress(codec: CodecName | number, input: Uint8Array, maxBytes: number): Buffer {
  const name = codecName(codec);
  switch (name) {
    case 'gzip':
    case 'zstd':
      return zlibDecompress(name, input, maxBytes);
    case 'snappy':
      return snappyDecompressBounded(input, maxBytes);
    case 'lz4':
      return lz4DecompressBounded(input, maxBytes);
  }
}

/** As `decompress`; gzip and zstd run on libuv's thread pool instead of the event loop. */
export async function decompressAsync(
  codec: CodecName | number,
  input: Uint8Array,
  maxBytes: number,
): Promise<Buffer> {
  const name = codecName(codec);
  return name === 'gzip' || name === 'zstd'
    ? zlibDecompressAsync(name, input, maxBytes)
    : decompress(name, input, maxBytes);
}

/** Compressed as the Java client writes it (snappy in xerial chunks, lz4 as one frame). */
export function compress(codec: CodecName, input: Uint8Array): Buffer {
  switch (codec) {
    case 'gzip':
    case 'zstd':
      return zlibCompress(codec, input);
    case 'snappy':
      return snappyCompressFramed(input);
    case 'lz4':
      return lz4CompressFrame(input);
  }
}
