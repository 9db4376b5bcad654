// Snappy as Kafka carries it: the Java client's xerial framing (a 16-byte header, then chunks, each
// a 4-byte length and a raw snappy block) or one raw block (librdkafka may write either). Every raw
// block starts with its decompressed length as a varint, so the total is known, and checked against
// the cap, before the decoder (@platformatic/wasm-utils) allocates anything.
import { snappyCompress, snappyDecompress } from '@platformatic/wasm-utils';
import { CodecError, decoderFailure } from './codec-error.ts';

const xerialMagic = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const xerialHeaderBytes = 16;
/** What snappy-java's SnappyOutputStream puts in one chunk by default. */
const xerialChunkBytes = 32 * 1024;

const fail = (reason: string, cause?: unknown) =>
  new CodecError('snappy', reason, cause === undefined ? undefined : { cause });

/** The varint at the start of a raw snappy block: its decompressed length (at most 2^32 - 1). */
function declaredLength(block: Buffer): number {
  let length = 0;
  for (let i = 0; i < 5; i++) {
    const byte = block[i];
    if (byte === undefined) throw fail('a block ends inside its length');
    length += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return length;
  }
  throw fail('a block length is longer than 32 bits');
}

/** The raw blocks of a framed or raw input, as views (nothing copied). */
function rawBlocks(input: Buffer): Buffer[] {
  if (input.length < xerialHeaderBytes || !input.subarray(0, 8).equals(xerialMagic)) return [input];
  const blocks = [];
  let offset = xerialHeaderBytes;
  while (offset < input.length) {
    if (offset + 4 > input.length) throw fail('a chunk ends inside its length');
    const length = input.readUInt32BE(offset);
    offset += 4;
    if (offset + length > input.length) throw fail('a chunk is longer than the input');
    blocks.push(input.subarray(offset, offset + length));
    offset += length;
  }
  return blocks;
}

export function snappyDecompressBounded(data: Uint8Array, maxBytes: number): Buffer {
  const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const blocks = rawBlocks(input);
  const lengths = blocks.map(declaredLength);
  const total = lengths.reduce((sum, length) => sum + length, 0);
  if (total > maxBytes)
    throw fail(
      `${input.length} bytes declare ${total} decompressed, more than the ${maxBytes} allowed`,
    );
  const decoded = blocks.map((block, i) => {
    let output: Buffer;
    try {
      output = snappyDecompress(block);
    } catch (error) {
      throw fail(`${input.length} bytes cannot be decompressed (${decoderFailure(error)})`, error);
    }
    // The decoder holds a block to its declared length; checked here so the bound never rests on it.
    if (output.length !== lengths[i])
      throw fail('a block decompresses to another length than it declares');
    return output;
  });
  return decoded.length === 1 && decoded[0] !== undefined
    ? decoded[0]
    : Buffer.concat(decoded, total);
}

/** The Java client's framing, so any Kafka consumer reads it. */
export function snappyCompressFramed(data: Uint8Array): Buffer {
  const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const header = Buffer.alloc(xerialHeaderBytes);
  xerialMagic.copy(header);
  header.writeInt32BE(1, 8); // version
  header.writeInt32BE(1, 12); // the oldest version that reads it
  const parts: Buffer[] = [header];
  for (let offset = 0; offset < input.length; offset += xerialChunkBytes) {
    const block = snappyCompress(input.subarray(offset, offset + xerialChunkBytes));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}
