import { compressionsAlgorithms, compressionsAlgorithmsByBitmask } from '@platformatic/kafka';
import { expect } from 'chai';
import { boundPlatformaticDecompression } from '../../../../src/adapters/platformatic/bounded-decompression.ts';
import { CodecError } from '../../../../src/messaging/compression/codec-error.ts';
import { codecIds, compress } from '../../../../src/messaging/compression/codecs.ts';
import { defaults } from '../../../../src/runtime/config.ts';

const cap = 64 * 1024;
const codecs = ['gzip', 'snappy', 'lz4', 'zstd'] as const;

describe('bounded decompression on @platformatic/kafka (the workaround)', () => {
  before(() => boundPlatformaticDecompression(cap));
  after(() => boundPlatformaticDecompression(Number(defaults.KAFKA_MAX_DECOMPRESSED_BATCH_BYTES)));

  for (const codec of codecs) {
    it(`makes the client's ${codec} refuse a batch past the cap with a CodecError`, () => {
      const bomb = compress(codec, Buffer.alloc(16 * cap));
      // records.js looks the codec up by the batch's attributes.
      const byBitmask = compressionsAlgorithmsByBitmask[codecIds[codec]];
      expect(() => byBitmask?.decompressSync(bomb)).to.throw(CodecError, `${cap} allowed`);
    });

    it(`still reads a ${codec} batch within the cap, written by the client itself`, () => {
      const text = Buffer.from('an event '.repeat(1000));
      const written = compressionsAlgorithms[codec].compressSync(text);
      expect(compressionsAlgorithms[codec].decompressSync(written).equals(text)).to.equal(true);
    });
  }
});
