import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { crc32c } from '@platformatic/wasm-utils';
import { expect } from 'chai';
import {
  installBoundedFetchDecoding,
  kafkajsCompression,
  kafkajsVersion,
  recordHeapBytes,
  replacedFiles,
  unreadableOf,
} from '../../../../src/adapters/kafkajs/bounded-fetch-decoding.ts';
import { defaults } from '../../../../src/runtime/config.ts';

const require = createRequire(import.meta.url);
const kafkajsFile = (path: string) => require.resolve(`kafkajs/${path}`);

type Message = { offset: string; value: Buffer | null; isControlRecord: boolean };
type DecodeMessages = (decoder: unknown) => Promise<Message[]>;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (options: object) => Promise<{ buffer: Buffer }>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (
  record: object,
) => unknown;
const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => {
  writeInt32(value: number): { writeBuffer(buffer: Buffer): { buffer: Buffer } };
};
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;
const Batch = require('kafkajs/src/consumer/batch.js') as new (
  topic: string,
  fetchedOffset: string,
  partitionData: object,
) => { messages: Message[]; lastOffset(): string };

const defaultCap = Number(defaults.KAFKA_MAX_DECOMPRESSED_BATCH_BYTES);

interface BatchOptions {
  readonly firstOffset: number;
  readonly values: readonly Buffer[];
  readonly compression?: keyof typeof kafkajsCompression;
  readonly producerId?: number;
  readonly transactional?: boolean;
}

async function recordBatch(options: BatchOptions): Promise<Buffer> {
  const encoded = await RecordBatch({
    compression: kafkajsCompression[options.compression ?? 'none'],
    firstOffset: String(options.firstOffset),
    lastOffsetDelta: options.values.length - 1,
    producerId: String(options.producerId ?? -1),
    transactional: options.transactional ?? false,
    records: options.values.map((value, offsetDelta) =>
      Record({ offsetDelta, timestampDelta: 0, key: null, value, headers: {} }),
    ),
  });
  return encoded.buffer;
}

/** A batch with its attributes (bits 0 to 2: the codec) changed and its CRC made right again. */
function withCodecId(batch: Buffer, codecId: number): Buffer {
  const changed = Buffer.from(batch);
  changed.writeInt16BE((changed.readInt16BE(21) & ~0x07) | codecId, 21);
  changed.writeUInt32BE(crc32c(changed.subarray(21)), 17);
  return changed;
}

/** What a fetch response holds for one partition: the size, then the batches. */
async function decodePartition(...batches: Buffer[]): Promise<Message[]> {
  const records = Buffer.concat(batches);
  const payload = new Encoder().writeInt32(records.length).writeBuffer(records).buffer;
  const decodeMessages = require(
    kafkajsFile('src/protocol/requests/fetch/v4/decodeMessages.js'),
  ) as DecodeMessages;
  return decodeMessages(new Decoder(payload));
}

const values = (count: number, bytes = 10) =>
  Array.from({ length: count }, (_, i) => Buffer.alloc(bytes, 97 + (i % 26)));

describe('bounded fetch decoding (the kafkajs workaround)', () => {
  before(() => installBoundedFetchDecoding(defaultCap));
  afterEach(() => installBoundedFetchDecoding(defaultCap));

  it('replaces code of the kafkajs it was written against, pinned exact', () => {
    const installed = require('kafkajs/package.json') as { version: string };
    const pinned = (
      JSON.parse(readFileSync('package.json', 'utf8')) as {
        dependencies: Record<string, string>;
      }
    ).dependencies['kafkajs'];
    expect([installed.version, pinned]).to.deep.equal([kafkajsVersion, kafkajsVersion]);
    for (const [path, sha256] of Object.entries(replacedFiles)) {
      const actual = createHash('sha256')
        .update(readFileSync(kafkajsFile(path)))
        .digest('hex');
      expect(actual, path).to.equal(sha256);
    }
  });

  it('decodes every codec, one after another in one partition', async () => {
    const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
    const batches = await Promise.all(
      codecs.map((compression, i) =>
        recordBatch({ firstOffset: 2 * i, values: values(2), compression }),
      ),
    );
    const messages = await decodePartition(...batches);
    expect(messages.map((m) => m.offset)).to.deep.equal([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
    expect(messages.every((m) => unreadableOf(m) === undefined)).to.equal(true);
  });

  it('ends the partition at a batch of an unknown codec: the batches before it, then a marker', async () => {
    const messages = await decodePartition(
      await recordBatch({ firstOffset: 0, values: values(2), compression: 'gzip' }),
      withCodecId(await recordBatch({ firstOffset: 2, values: values(3) }), 6),
      await recordBatch({ firstOffset: 5, values: values(2) }),
    );
    expect(messages.map((m) => m.offset)).to.deep.equal(['0', '1', '4']);
    expect(messages.slice(0, 2).every((m) => unreadableOf(m) === undefined)).to.equal(true);
    expect(unreadableOf(messages[2] as object)).to.deep.equal({
      offset: '2',
      reason: 'codec 6: not a codec Kafka defines',
    });
  });

  it('marks a corrupt batch (its CRC no longer matches)', async () => {
    const corrupt = await recordBatch({ firstOffset: 7, values: values(2), compression: 'zstd' });
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 3) ^ 0xff, corrupt.length - 3);
    const [marker] = await decodePartition(corrupt);
    expect(unreadableOf(marker as object)).to.deep.equal({
      offset: '7',
      reason: 'CRC-32C mismatch (the batch is corrupt)',
    });
  });

  it('marks a batch that decompresses past the cap, with the codec error as the reason', async () => {
    installBoundedFetchDecoding(64 * 1024);
    const bomb = await recordBatch({
      firstOffset: 0,
      values: [Buffer.alloc(1024 * 1024)],
      compression: 'gzip',
    });
    const [marker] = await decodePartition(bomb);
    expect(unreadableOf(marker as object)?.reason).to.match(
      /^gzip: \d+ bytes decompress to more than the 65536 allowed$/,
    );
  });

  it('marks a batch of more records than the cap holds once decoded, before decoding it', async () => {
    installBoundedFetchDecoding(100 * recordHeapBytes);
    const many = await recordBatch({ firstOffset: 0, values: values(101, 0), compression: 'lz4' });
    const [marker] = await decodePartition(many);
    expect(unreadableOf(marker as object)?.reason).to.contain('lz4: 101 records take about');
  });

  it('stops decoding once the cap is held; the rest is fetched next time', async () => {
    const cap = 64 * 1024;
    installBoundedFetchDecoding(cap);
    const batch = (firstOffset: number) =>
      recordBatch({ firstOffset, values: [Buffer.alloc(cap * 0.4)], compression: 'snappy' });
    const messages = await decodePartition(await batch(0), await batch(1), await batch(2));
    expect(messages.map((m) => m.offset)).to.deep.equal(['0', '1']);
  });

  it('lets kafkajs drop the marker of an aborted transaction, and move past its batch', async () => {
    const aborted = withCodecId(
      await recordBatch({ firstOffset: 3, values: values(4), transactional: true, producerId: 9 }),
      7,
    );
    const rawMessages = await decodePartition(
      await recordBatch({ firstOffset: 0, values: values(3) }),
      aborted,
    );
    const batch = new Batch('t', '0', {
      partition: 0,
      highWatermark: '8',
      abortedTransactions: [{ producerId: '9', firstOffset: '3' }],
      messages: rawMessages,
    });
    expect(batch.messages.map((m) => m.offset)).to.deep.equal(['0', '1', '2']);
    expect(batch.lastOffset()).to.equal('6');
  });

  it('keeps the marker of a committed transaction where the handler sees it', async () => {
    const committed = withCodecId(
      await recordBatch({ firstOffset: 3, values: values(4), transactional: true, producerId: 9 }),
      7,
    );
    const batch = new Batch('t', '3', {
      partition: 0,
      highWatermark: '8',
      abortedTransactions: [],
      messages: await decodePartition(committed),
    });
    expect(batch.messages.map((m) => unreadableOf(m)?.offset)).to.deep.equal(['3']);
  });
});
