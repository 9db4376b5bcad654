// LZ4 as Kafka carries it: the LZ4 frame format (lz4.org's frame spec; the Java client writes one
// frame of 64 KiB blocks). The frame is walked before anything is decoded: every block says how
// long it is and whether it is compressed, and a compressed block decodes to at most the frame's
// block size (and 255 times its own length), so the largest possible output is known before
// @platformatic/wasm-utils allocates.
// Refusing on that bound refuses a legitimate frame only when it ends within one block below the
// cap, since an encoder fills every block but the last.
import { lz4Compress, lz4Decompress } from '@platformatic/wasm-utils';
import { CodecError, decoderFailure } from './codec-error.ts';

const frameMagic = 0x184d2204;
const blockSizes: Record<number, number> = {
  4: 64 * 1024,
  5: 256 * 1024,
  6: 1024 * 1024,
  7: 4 * 1024 * 1024,
};

const fail = (reason: string, cause?: unknown) =>
  new CodecError('lz4', reason, cause === undefined ? undefined : { cause });

/** The most bytes the frame in `input` can decode to; throws when its structure is broken. */
function lz4FrameBound(input: Buffer): number {
  let bound = 0;
  let declared = 0;
  let offset = 0;
  if (input.length < offset + 7) throw fail('a frame ends inside its header');
  if (input.readUInt32LE(offset) !== frameMagic)
    throw fail('a frame does not start with the LZ4 magic number');
  const flags = input.readUInt8(offset + 4);
  const blockSize = blockSizes[(input.readUInt8(offset + 5) >> 4) & 0x07];
  if (flags >> 6 !== 1 || blockSize === undefined)
    throw fail('a frame header has an unknown version or block size');
  const blockChecksums = (flags & 0x10) !== 0;
  const contentChecksum = (flags & 0x04) !== 0;
  offset += 6; // magic, FLG, BD
  if ((flags & 0x08) !== 0) {
    if (input.length < offset + 8) throw fail('a frame ends inside its header');
    // A frame that declares its size is held to it before the decoder reserves that much.
    declared = Number(input.readBigUInt64LE(offset));
    offset += 8;
  }
  if ((flags & 0x01) !== 0) offset += 4; // dictionary id
  offset += 1; // header checksum
  for (;;) {
    if (input.length < offset + 4) throw fail('a frame ends inside a block length');
    const word = input.readUInt32LE(offset);
    offset += 4;
    if (word === 0) break; // end mark
    const length = word & 0x7fffffff;
    const stored = (word & 0x80000000) !== 0;
    if (length > blockSize) throw fail("a block is longer than the frame's block size");
    // An LZ4 sequence writes at most 255 bytes per byte it reads (a match length's extra bytes).
    bound += stored ? length : Math.min(blockSize, 255 * length);
    offset += length + (blockChecksums ? 4 : 0);
    if (offset > input.length) throw fail('a block is longer than the input');
  }
  offset += contentChecksum ? 4 : 0;
  // One frame per batch, as every Kafka client writes it; a decoder might ignore what follows.
  if (offset !== input.length) throw fail('the input does not end with its frame');
  return Math.max(bound, declared);
}

export function lz4DecompressBounded(data: Uint8Array, maxBytes: number): Buffer {
  const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const bound = lz4FrameBound(input);
  if (bound > maxBytes)
    throw fail(
      `${input.length} bytes in blocks that may decompress to ${bound}, more than the ${maxBytes} allowed`,
    );
  let output: Buffer;
  try {
    output = lz4Decompress(input);
  } catch (error) {
    throw fail(`${input.length} bytes cannot be decompressed (${decoderFailure(error)})`, error);
  }
  if (output.length > maxBytes)
    throw fail(`${input.length} bytes decompress to more than the ${maxBytes} allowed`);
  return output;
}

export function lz4CompressFrame(data: Uint8Array): Buffer {
  return lz4Compress(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}
