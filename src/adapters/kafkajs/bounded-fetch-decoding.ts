// Workaround for kafkajs 2.2.4 (unmaintained, pinned exact): how it decodes a fetch response.
// kafkajs decodes every partition of a response before handing any over, and one record batch it
// cannot decode (a codec it lacks, corrupt bytes) throws out of the whole fetch, so the consumer
// crashes for every partition on every start. Nor does it bound what a compressed batch expands
// to. This file replaces its per-partition decoder (src/protocol/requests/fetch/v4/decodeMessages.js,
// shared by fetch v4 to v11) in Node's module cache before kafkajs first loads it, and registers
// the four codecs (kafkajs's CompressionCodecs) on the bounded ones of messaging/compression/.
// Per partition, batches are decoded in order until one cannot be read: that one becomes a marker
// message (see unreadableOf) carrying its batch context, so kafkajs's own filter of aborted
// transactions and control records still applies to it, and nothing after it is decoded. Decoding
// also stops once the decoded batches hold the cap (the rest is fetched again next time, as kafkajs
// does with the partial batch at the end of a response). docs/workarounds.md says more;
// test/unit/adapters/kafkajs/bounded-fetch-decoding.test.ts fails when kafkajs or the file changes.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { crc32c } from '@platformatic/wasm-utils';
import type * as Kafkajs from 'kafkajs';
import { CodecError, decoderFailure } from '../../messaging/compression/codec-error.ts';
import {
  type CodecName,
  codecName,
  compress,
  decompressAsync,
} from '../../messaging/compression/codecs.ts';
import type { UnreadableBatch } from '../../messaging/port.ts';
import type { KafkaCompression } from '../../runtime/config.ts';
import { committedOnly } from './committed-records.ts';

const require = createRequire(import.meta.url);
// kafkajs's codec table and ids are not among the names Node finds for an ES import of kafkajs.
const { CompressionCodecs, CompressionTypes } = require('kafkajs') as typeof Kafkajs;

/** The kafkajs this replacement was written against, and the files it replaces or relies on. */
export const kafkajsVersion = '2.2.4';
export const replacedFiles: Readonly<Record<string, string>> = Object.freeze({
  'src/protocol/requests/fetch/v4/decodeMessages.js':
    'd9fede59bebf84ee15169d0ecc54df594a11722b6ba8d5db535ed1d8548d4fcc',
  'src/protocol/recordBatch/v0/decoder.js':
    '38cae7fc865f9bc51941353e1f6e9419227a8799ba4efb437199393a4eb94819',
});
const decodeMessagesFile = 'src/protocol/requests/fetch/v4/decodeMessages.js';
const fetchResponseFiles = [4, 5, 6, 7, 8, 9, 10, 11].map(
  (version) => `src/protocol/requests/fetch/v${version}/response.js`,
);

/**
 * The heap one decoded record takes in kafkajs beyond its bytes (its object, a key, a header and
 * their Buffer views); measured 530 bytes. A batch of many tiny records costs this much each.
 */
export const recordHeapBytes = 600;

// The v2 record batch header (Kafka's DefaultRecordBatch): positions from the batch's start.
const lengthAt = 8;
const crcAt = 17;
const attributesAt = 21;
const lastOffsetDeltaAt = 23;
const firstTimestampAt = 27;
const maxTimestampAt = 35;
const producerIdAt = 43;
const producerEpochAt = 51;
const firstSequenceAt = 53;
const recordCountAt = 57;
const headerBytes = 61;
/** What the length field counts at the least: the header after it. */
const minBatchLength = headerBytes - 12;
const magicAt = 16;
const magicV2 = 2;
// kafkajs's own threshold for trying one more batch (decodeMessages.js).
const recordBatchOverhead = 49;

const unreadableKey = Symbol('unreadable record batch');
const maxInt64 = '9223372036854775807';

interface KafkajsDecoder {
  offset: number;
  buffer: Buffer;
  readInt32(): number;
  canReadBytes(length: number): boolean;
  readBytes(length: number): Buffer;
}
interface DecodedRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer | Buffer[] | undefined>;
}
interface Internals {
  Decoder: new (buffer: Buffer) => KafkajsDecoder;
  decodeRecordBatch: (decoder: KafkajsDecoder) => Promise<{ records: DecodedRecord[] }>;
  decodeMessageSet: (decoder: KafkajsDecoder, size: number) => Promise<unknown[]>;
}

let maxBatchBytes = 32 * 1024 * 1024;
/**
 * Decoded bytes one partition of one fetch response holds before the rest is left for the next
 * fetch (the first batch is always taken). kafkajs decodes every partition of a response before
 * handing any over, so the client holds up to partitions x this (plus one batch each) at once:
 * 8 MiB, a few times what kafkajs fetches of a partition uncompressed (1 MiB), keeps a
 * compression bomb at one batch per partition per fetch (docs/performance.md).
 */
const fetchBudgetBytes = 8 * 1024 * 1024;

/** The unreadable batch a marker stands for; undefined for every real message. */
export function unreadableOf(message: object): UnreadableBatch | undefined {
  return (message as { [unreadableKey]?: UnreadableBatch })[unreadableKey];
}

/** A marker in the place of a batch: kafkajs filters it as it would the batch's records. */
function marker(buffer: Buffer, start: number, reason: string, hasContext: boolean): object {
  const firstOffset = buffer.readBigInt64BE(start).toString();
  const unreadable: UnreadableBatch = { offset: firstOffset, reason };
  if (!hasContext) {
    // No trustworthy header: an offset past any fetch position, so kafkajs never filters it out
    // as lying before the position (it would then move past it). It is never resolved.
    const batchContext = {
      firstOffset,
      inTransaction: false,
      isControlBatch: false,
      producerId: '-1',
    };
    return {
      offset: maxInt64,
      key: null,
      value: null,
      headers: {},
      isControlRecord: false,
      batchContext,
      [unreadableKey]: unreadable,
    };
  }
  const attributes = buffer.readInt16BE(start + attributesAt);
  const lastOffset = (
    buffer.readBigInt64BE(start) + BigInt(buffer.readInt32BE(start + lastOffsetDeltaAt))
  ).toString();
  const batchContext = {
    firstOffset,
    firstTimestamp: buffer.readBigInt64BE(start + firstTimestampAt).toString(),
    lastOffsetDelta: buffer.readInt32BE(start + lastOffsetDeltaAt),
    maxTimestamp: buffer.readBigInt64BE(start + maxTimestampAt).toString(),
    producerId: buffer.readBigInt64BE(start + producerIdAt).toString(),
    producerEpoch: buffer.readInt16BE(start + producerEpochAt),
    firstSequence: buffer.readInt32BE(start + firstSequenceAt),
    inTransaction: (attributes & 0x10) !== 0,
    isControlBatch: (attributes & 0x20) !== 0,
    magicByte: magicV2,
  };
  // The batch's last offset: at or past the fetch position, and where an aborted transaction's
  // range, compared by offset, puts it.
  return {
    magicByte: magicV2,
    attributes: 0,
    timestamp: batchContext.firstTimestamp,
    offset: lastOffset,
    key: null,
    value: null,
    headers: {},
    isControlRecord: batchContext.isControlBatch,
    batchContext,
    [unreadableKey]: unreadable,
  };
}

/** Why the complete batch at `start` must not be decoded, or undefined when it may be. */
function refusal(buffer: Buffer, start: number, length: number): string | undefined {
  const end = start + 12 + length;
  // The CRC covers everything from the attributes on; kafkajs never checks it.
  const crc = crc32c(buffer.subarray(start + attributesAt, end));
  if (crc !== buffer.readUInt32BE(start + crcAt)) return 'CRC-32C mismatch (the batch is corrupt)';
  const codecId = buffer.readInt16BE(start + attributesAt) & 0x07;
  let codec: CodecName | undefined;
  if (codecId !== 0) {
    try {
      codec = codecName(codecId);
    } catch (error) {
      return (error as CodecError).message;
    }
  }
  const count = buffer.readInt32BE(start + recordCountAt);
  if (count < 0) return `${count} records`;
  if (count * recordHeapBytes > maxBatchBytes)
    return `${codec ?? 'uncompressed'}: ${count} records take about ${count * recordHeapBytes} bytes once decoded, more than the ${maxBatchBytes} allowed`;
  return undefined;
}

function decodedBytes(records: readonly DecodedRecord[]): number {
  let bytes = records.length * recordHeapBytes;
  for (const { key, value, headers } of records) {
    bytes += (key?.length ?? 0) + (value?.length ?? 0);
    for (const header of Object.values(headers))
      for (const part of Array.isArray(header) ? header : [header]) bytes += part?.length ?? 0;
  }
  return bytes;
}

function reasonOf(error: unknown, buffer: Buffer, start: number): string {
  if (error instanceof CodecError) return error.message;
  const codecId = buffer.readInt16BE(start + attributesAt) & 0x07;
  return `${codecId === 0 ? 'uncompressed' : codecName(codecId)}: the records cannot be decoded (${decoderFailure(error)})`;
}

function boundedDecodeMessages(internals: Internals) {
  const decodeRecordBatches = async (buffer: Buffer): Promise<unknown[]> => {
    const batches = new internals.Decoder(buffer);
    const records: unknown[] = [];
    let held = 0;
    let decoded = 0;
    while (batches.canReadBytes(recordBatchOverhead)) {
      const start = batches.offset;
      const length = buffer.readInt32BE(start + lengthAt);
      if (length < minBatchLength) {
        records.push(
          marker(buffer, start, `a batch length of ${length} bytes (the batch is corrupt)`, false),
        );
        break;
      }
      // The tail of a response may hold a partial batch (how maxBytes works): fetched next time.
      if (start + 12 + length > buffer.length) break;
      const refused = refusal(buffer, start, length);
      if (refused !== undefined) {
        records.push(marker(buffer, start, refused, true));
        break;
      }
      let batch: { records: DecodedRecord[] };
      try {
        batch = await internals.decodeRecordBatch(batches);
      } catch (error) {
        records.push(marker(buffer, start, reasonOf(error, buffer, start), true));
        break;
      }
      const bytes = decodedBytes(batch.records);
      // The first batch is always taken (the cap holds for each batch alone).
      if (decoded > 0 && held + bytes > Math.min(fetchBudgetBytes, maxBatchBytes)) break;
      held += bytes;
      decoded += 1;
      for (const record of batch.records) records.push(record);
    }
    return records;
  };

  return async (decoder: KafkajsDecoder): Promise<unknown[]> => {
    const messagesSize = decoder.readInt32();
    if (messagesSize <= 0 || !decoder.canReadBytes(messagesSize)) return [];
    const buffer = decoder.readBytes(messagesSize);
    if (buffer.length <= magicAt) return []; // too short for a batch: a partial tail
    if (buffer.readInt8(magicAt) !== magicV2)
      // The message sets of Kafka before 0.11, which brokers since 4.0 no longer write.
      return internals.decodeMessageSet(new internals.Decoder(buffer), messagesSize);
    return decodeRecordBatches(buffer);
  };
}

/** The codec ids kafkajs's producer takes, by KAFKA_COMPRESSION's names. */
export const kafkajsCompression: Readonly<Record<KafkaCompression, Kafkajs.CompressionTypes>> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

let installedDecoder: unknown;

/**
 * Installs the bounded decoder and codecs; call before a consumer first fetches. The cap is
 * process-wide, as kafkajs's codecs are: the last call sets it.
 */
export function installBoundedFetchDecoding(maxDecompressedBatchBytes?: number): void {
  if (maxDecompressedBatchBytes !== undefined) maxBatchBytes = maxDecompressedBatchBytes;
  for (const name of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    const codec = {
      compress: (encoder: { buffer: Buffer }) => Promise.resolve(compress(name, encoder.buffer)),
      decompress: (buffer: Buffer) => decompressAsync(name, buffer, maxBatchBytes),
    };
    (CompressionCodecs as Record<number, () => unknown>)[kafkajsCompression[name]] = () => codec;
  }
  if (installedDecoder !== undefined) return;

  const file = (path: string) => require.resolve(`kafkajs/${path}`);
  const version = (require('kafkajs/package.json') as { version: string }).version;
  if (version !== kafkajsVersion)
    throw new Error(
      `bounded-fetch-decoding.ts replaces code of kafkajs ${kafkajsVersion}, not ${version}`,
    );
  for (const [path, sha256] of Object.entries(replacedFiles)) {
    if (
      createHash('sha256')
        .update(readFileSync(file(path)))
        .digest('hex') !== sha256
    )
      throw new Error(
        `bounded-fetch-decoding.ts: kafkajs/${path} is not the file it was written against`,
      );
  }
  if (
    [decodeMessagesFile, ...fetchResponseFiles].some(
      (path) => require.cache[file(path)] !== undefined,
    )
  )
    throw new Error(
      'bounded-fetch-decoding.ts: kafkajs loaded its fetch decoder before the replacement',
    );

  const decodeMessages = boundedDecodeMessages({
    Decoder: require('kafkajs/src/protocol/decoder.js') as Internals['Decoder'],
    decodeRecordBatch:
      require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as Internals['decodeRecordBatch'],
    decodeMessageSet:
      require('kafkajs/src/protocol/messageSet/decoder.js') as Internals['decodeMessageSet'],
  });
  const path = file(decodeMessagesFile);
  const replacement = new Module(path);
  replacement.filename = path;
  replacement.loaded = true;
  replacement.exports = decodeMessages;
  require.cache[path] = replacement;
  installedDecoder = decodeMessages;

  // The responses that use it, loaded now (on the replacement) with kafkajs's aborted-transaction
  // filter taken over (committed-records.ts): fetch/index.js requires them by path later.
  for (const responseFile of fetchResponseFiles) {
    const loaded = require(responseFile.replace(/^src/, 'kafkajs/src')) as {
      decode: Parameters<typeof committedOnly>[0];
    };
    const cached = require.cache[file(responseFile)];
    if (cached !== undefined) cached.exports = { ...loaded, decode: committedOnly(loaded.decode) };
  }
}
