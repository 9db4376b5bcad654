// gzip and zstd from Node's own zlib. `maxOutputLength` makes zlib stop as soon as the output
// passes the cap (it grows the output chunk by chunk), so a bomb costs at most the cap and a chunk.
// zstd's window is bounded too: a frame may declare a window of up to 2 GiB, which the decoder
// would allocate however little the frame holds.
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { CodecError, decoderFailure } from './codec-error.ts';

type ZlibCodec = 'gzip' | 'zstd';

/** The decoder's window never exceeds the cap (or 8 MiB, what any usual producer setting needs). */
const zstdWindowLog = (maxBytes: number) =>
  Math.min(27, Math.ceil(Math.log2(Math.max(maxBytes, 8 * 1024 * 1024))));

const options = (codec: ZlibCodec, maxBytes: number): zlib.ZlibOptions & zlib.ZstdOptions =>
  codec === 'zstd'
    ? {
        maxOutputLength: maxBytes,
        params: { [zlib.constants.ZSTD_d_windowLogMax]: zstdWindowLog(maxBytes) },
      }
    : { maxOutputLength: maxBytes };

const unzipAsync = promisify(zlib.unzip);
const zstdDecompressAsync = promisify(zlib.zstdDecompress);

function failure(codec: ZlibCodec, input: Uint8Array, maxBytes: number, error: unknown) {
  const tooLarge = (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
  return new CodecError(
    codec,
    tooLarge
      ? `${input.length} bytes decompress to more than the ${maxBytes} allowed`
      : `${input.length} bytes cannot be decompressed (${decoderFailure(error)})`,
    { cause: error },
  );
}

// gzip is read with unzip, which also takes a zlib stream, as kafkajs's own codec did.
export function zlibDecompress(codec: ZlibCodec, input: Uint8Array, maxBytes: number): Buffer {
  try {
    return codec === 'zstd'
      ? zlib.zstdDecompressSync(input, options(codec, maxBytes))
      : zlib.unzipSync(input, options(codec, maxBytes));
  } catch (error) {
    throw failure(codec, input, maxBytes, error);
  }
}

/** The same, on libuv's thread pool: a large batch does not hold up the event loop. */
export async function zlibDecompressAsync(
  codec: ZlibCodec,
  input: Uint8Array,
  maxBytes: number,
): Promise<Buffer> {
  try {
    return codec === 'zstd'
      ? await zstdDecompressAsync(input, options(codec, maxBytes))
      : await unzipAsync(input, options(codec, maxBytes));
  } catch (error) {
    throw failure(codec, input, maxBytes, error);
  }
}

export function zlibCompress(codec: ZlibCodec, input: Uint8Array): Buffer {
  return codec === 'zstd' ? zlib.zstdCompressSync(input) : zlib.gzipSync(input);
}
