import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { expect } from 'chai';
import fc from 'fast-check';
import { CodecError } from '../../../../src/messaging/compression/codec-error.ts';
import {
  type CodecName,
  compress,
  decompress,
  decompressAsync,
} from '../../../../src/messaging/compression/codecs.ts';
import { propertyParameters } from '../../../support/property-runs.ts';

const codecs: readonly CodecName[] = ['gzip', 'snappy', 'lz4', 'zstd'];
const MiB = 1024 * 1024;

/** The text WriteFixtures.java compressed with the Java client's own codecs. */
const javaText = Buffer.from(
  Array.from(
    { length: 3000 },
    (_, i) => `{"n":${i},"product":"p-${i % 17}","qty":${i % 5}}\n`,
  ).join(''),
);
const javaBytes = (codec: CodecName) =>
  readFileSync(new URL(`java-client/java-${codec}.bin`, import.meta.url));

function refusal(run: () => unknown): CodecError {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(CodecError);
    return error as CodecError;
  }
  expect.fail('expected a CodecError');
}

describe('bounded codecs', () => {
  for (const codec of codecs) {
    describe(codec, () => {
      it('reads what it writes, sync and async', async () => {
        const text = Buffer.concat([javaText, Buffer.from('é, ✓, \u0000')]);
        const compressed = compress(codec, text);
        expect(decompress(codec, compressed, MiB).equals(text)).to.equal(true);
        expect((await decompressAsync(codec, compressed, MiB)).equals(text)).to.equal(true);
      });

      it("reads the Java client's stream", () => {
        expect(decompress(codec, javaBytes(codec), MiB).equals(javaText)).to.equal(true);
      });

      it('takes a batch exactly at the cap and refuses it with a byte less', () => {
        // lz4 is bounded by whole blocks before decoding: the Java client's frame of 105 122 bytes
        // is two blocks of up to 64 KiB.
        const [compressed, atCap] =
          codec === 'lz4'
            ? [javaBytes(codec), 2 * 64 * 1024]
            : [compress(codec, javaText), javaText.length];
        expect(decompress(codec, compressed, atCap).equals(javaText)).to.equal(true);
        expect(refusal(() => decompress(codec, compressed, atCap - 1)).reason).to.match(
          /more than the \d+ allowed/,
        );
      });

      it('refuses a bomb of 64 MiB with a 1 MiB cap, naming codec and sizes', async () => {
        const bomb = compress(codec, Buffer.alloc(64 * MiB));
        const error = refusal(() => decompress(codec, bomb, MiB));
        expect(error.message).to.equal(`${codec}: ${error.reason}`);
        expect(error.reason).to.contain(`${bomb.length} bytes`).and.contain(`${MiB} allowed`);
        const asyncError = await decompressAsync(codec, bomb, MiB).catch((e: unknown) => e);
        expect(asyncError).to.be.instanceOf(CodecError);
      });

      it('says which decoder error a corrupt stream met, without its bytes', () => {
        const corrupt = Buffer.from(javaBytes(codec));
        corrupt.fill(0x41, 20, 60);
        const error = refusal(() => decompress(codec, corrupt, MiB));
        expect(error.reason).to.match(/cannot be decompressed|block|frame|chunk/);
        expect(error.message).not.to.contain('AAAA');
      });
    });
  }

  describe('bombs refused before the decoder allocates', () => {
    it('snappy: a raw block declaring 4 GiB', () => {
      const lie = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x00]);
      expect(refusal(() => decompress('snappy', lie, MiB)).reason).to.contain(
        'declare 4294967295 decompressed',
      );
    });

    it('snappy: xerial chunks that declare more than the cap in total', () => {
      const chunk = compress('snappy', Buffer.alloc(512 * 1024)).subarray(16);
      const framed = Buffer.concat([compress('snappy', Buffer.alloc(0)), chunk, chunk, chunk]);
      expect(refusal(() => decompress('snappy', framed, MiB)).reason).to.contain(
        `declare ${3 * 512 * 1024} decompressed`,
      );
    });

    it('lz4: a frame whose blocks may decompress past the cap', () => {
      const frame = javaBytes('lz4'); // two blocks of up to 64 KiB
      expect(refusal(() => decompress('lz4', frame, 100_000)).reason).to.contain(
        `may decompress to ${2 * 64 * 1024}`,
      );
    });

    it('lz4: a frame declaring a content size past the cap', () => {
      const frame = compress('lz4', Buffer.from('x'));
      const flags = frame.readUInt8(4) | 0x08; // content size present
      const declaring = Buffer.concat([
        frame.subarray(0, 4),
        Buffer.from([flags, frame.readUInt8(5)]),
        Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x10]), // 2^60 bytes
        frame.subarray(6),
      ]);
      expect(refusal(() => decompress('lz4', declaring, MiB)).reason).to.contain('may decompress');
    });

    it('zstd: a frame whose window is larger than the cap allows', () => {
      const wide = zlib.zstdCompressSync(Buffer.alloc(64 * MiB), {
        params: {
          [zlib.constants.ZSTD_c_windowLog]: 27,
          [zlib.constants.ZSTD_c_enableLongDistanceMatching]: 1,
        },
      });
      expect(refusal(() => decompress('zstd', wide, 32 * MiB)).reason).to.contain(
        'cannot be decompressed',
      );
    });
  });

  it('refuses a codec id Kafka does not define', () => {
    for (const id of [0, 5, 7, -1]) {
      expect(refusal(() => decompress(id, Buffer.from('x'), MiB)).codec).to.equal(`codec ${id}`);
    }
  });

  describe('arbitrary bytes', () => {
    const anyCodec = fc.oneof(fc.constantFrom(...codecs), fc.integer({ min: -2, max: 9 }));
    const check = (codec: CodecName | number, input: Uint8Array, maxBytes: number) => {
      try {
        expect(decompress(codec, input, maxBytes).length).to.be.at.most(maxBytes);
      } catch (error) {
        if (!(error instanceof CodecError)) throw error;
      }
    };

    it('give a buffer within the cap or a CodecError, never another error', () => {
      fc.assert(
        fc.property(anyCodec, fc.uint8Array({ maxLength: 512 }), fc.nat(4096), check),
        propertyParameters(300),
      );
    });

    it("as do the Java client's streams with bytes changed", () => {
      const mutated = fc
        .tuple(
          fc.constantFrom(...codecs),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
            minLength: 1,
            maxLength: 8,
          }),
        )
        .map(([codec, changes]) => {
          const bytes = Buffer.from(javaBytes(codec));
          for (const [at, value] of changes) bytes[at % bytes.length] = value;
          return [codec, bytes] as const;
        });
      fc.assert(
        fc.property(mutated, fc.constantFrom(1024, MiB), ([codec, bytes], maxBytes) =>
          check(codec, bytes, maxBytes),
        ),
        propertyParameters(200),
      );
    });
  });
});
