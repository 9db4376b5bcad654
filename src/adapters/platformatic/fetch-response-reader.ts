// Reads a Fetch response (v13–v17) so that a record batch the client cannot read costs only its own
// partition, and so that one response never decodes more than a fixed budget of record bytes.
//
// The client's parser (dist/apis/consumer/fetch-v17.js, protocol/records.js) decodes every batch of
// every partition at once: a batch it cannot read (a codec it lacks, corrupt bytes, a decompression
// cap) throws out of the whole response, the client retries that as a network error, and the message
// stream then dies. It checks neither the batch's CRC nor its format version (magic), and decodes
// every compressed batch of the response whatever their total. Here each partition's batches are
// checked and decoded one at a time: the first that fails ends that partition's records and is noted
// on it (`unreadableBatchOf`); the batches after the budget are left for the next fetch.
import {
  crc32c,
  createAPI,
  fetchV13,
  fetchV14,
  fetchV15,
  fetchV16,
  fetchV17,
  Reader,
  readKnownTaggedFields,
  readRecordsBatch,
  ResponseError,
  type RecordsBatch,
} from '@platformatic/kafka';
import type { UnreadableBatch } from '../../messaging/port.ts';

type FetchResponse = fetchV17.FetchResponse;
type FetchResponsePartition = fetchV17.FetchResponsePartition;
type ResponseBytes = Reader['buffer'];

/** Record bytes (keys, values, headers, after decompression) one response decodes, beyond its
 * first batch: the rest waits for the next fetch. */
export const responseDecodedMaxBytes = 4 * 1024 * 1024;

const batchHeadBytes = 12; // firstOffset (8) + length (4)
const crcCoveredFrom = 21; // the CRC covers the batch from its attributes (after epoch, magic, crc)
const currentMagic = 2;
const reasonMaxLength = 300;

const unreadable = Symbol('unreadable batch');
type MarkedPartition = FetchResponsePartition & { [unreadable]?: UnreadableBatch };

/** The partition's record batch the reader could not read, right after its `records`. */
export function unreadableBatchOf(partition: FetchResponsePartition): UnreadableBatch | undefined {
  return (partition as MarkedPartition)[unreadable];
}

const recordBytes = (batch: RecordsBatch): number => {
  let bytes = 0;
  for (const { key, value, headers } of batch.records) {
    bytes += (key?.length ?? 0) + (value?.length ?? 0);
    for (const [name, headerValue] of headers)
      bytes += (name?.length ?? 0) + (headerValue?.length ?? 0);
  }
  return bytes;
};

/** The reason, never the batch's bytes: the error's class and message, cut short. */
const reasonOf = (error: unknown): string =>
  (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(
    0,
    reasonMaxLength,
  );

interface Budget {
  decoded: number;
}

/** The partition's batches up to the first one that cannot be read (or the budget). */
function readPartitionBatches(bytes: ResponseBytes, partition: MarkedPartition, budget: Budget) {
  const batches: RecordsBatch[] = [];
  const reader = Reader.from(bytes);
  // A batch cut off at the end of the response is no batch: the next fetch starts at it.
  while (
    reader.remaining >= batchHeadBytes &&
    reader.remaining - batchHeadBytes >= reader.peekInt32(reader.position + 8)
  ) {
    if (budget.decoded >= responseDecodedMaxBytes) break;
    const start = reader.position;
    const firstOffset = reader.peekInt64(start);
    const end = start + batchHeadBytes + reader.peekInt32(start + 8);
    try {
      const magic = reader.peekInt8(start + 16);
      if (magic !== currentMagic) throw new Error(`record batch format v${magic} is not read`);
      const crc = reader.peekInt32(start + 17) >>> 0;
      if (crc32c(bytes.slice(start + crcCoveredFrom, end)) !== crc)
        throw new Error('record batch CRC-32C mismatch');
      const batch = readRecordsBatch(reader);
      if (reader.position !== end) throw new Error('records do not fill the record batch');
      batches.push(batch);
      budget.decoded += recordBytes(batch);
    } catch (error) {
      partition[unreadable] = { offset: String(firstOffset), reason: reasonOf(error) };
      break;
    }
  }
  return batches;
}

function parseResponse(
  _correlationId: number,
  apiKey: number,
  apiVersion: number,
  reader: Reader,
): FetchResponse {
  const errors: [string, [number, null]][] = [];
  const budget: Budget = { decoded: 0 };
  const throttleTimeMs = reader.readInt32();
  const errorCode = reader.readInt16();
  if (errorCode !== 0) errors.push([apiVersion >= 15 ? '' : '/', [errorCode, null]]);
  const response: FetchResponse = {
    throttleTimeMs,
    errorCode,
    sessionId: reader.readInt32(),
    nodeEndpoints: [],
    responses: reader.readArray((r, i) => ({
      topicId: r.readUUID(),
      partitions: r.readArray(
        (r, j) => {
          const partition: MarkedPartition = {
            partitionIndex: r.readInt32(),
            errorCode: r.readInt16(),
            highWatermark: r.readInt64(),
            lastStableOffset: r.readInt64(),
            logStartOffset: r.readInt64(),
            divergingEpoch: { epoch: -1, endOffset: -1n },
            currentLeader: { leaderId: -1, leaderEpoch: -1 },
            snapshotId: { endOffset: -1n, epoch: -1 },
            abortedTransactions: r.readNullableArray((r) => ({
              producerId: r.readInt64(),
              firstOffset: r.readInt64(),
            })),
            preferredReadReplica: r.readInt32(),
            records: [],
          };
          if (partition.errorCode !== 0)
            errors.push([`/responses/${i}/partitions/${j}`, [partition.errorCode, null]]);
          // COMPACT_RECORDS: the length plus one; 0 is null.
          const size = r.readUnsignedVarInt();
          if (size === 0) partition.records = null;
          if (size > 1) {
            const bytes = r.buffer.subarray(r.position, r.position + size - 1);
            partition.records = readPartitionBatches(bytes, partition, budget);
            r.skip(size - 1);
          }
          readKnownTaggedFields(r, {
            0: (r) =>
              (partition.divergingEpoch = { epoch: r.readInt32(), endOffset: r.readInt64() }),
            1: (r) =>
              (partition.currentLeader = { leaderId: r.readInt32(), leaderEpoch: r.readInt32() }),
            2: (r) => (partition.snapshotId = { endOffset: r.readInt64(), epoch: r.readInt32() }),
          });
          return partition;
          // The partition's tagged fields are read above, not skipped.
        },
        true,
        false,
      ),
    })),
  };
  readKnownTaggedFields(reader, {
    0: (r) => {
      response.nodeEndpoints = r.readArray((r) => ({
        nodeId: r.readInt32(),
        host: r.readString(),
        port: r.readInt32(),
        rack: r.readNullableString(),
      }));
    },
  });
  if (errors.length > 0)
    throw new ResponseError(apiKey, apiVersion, Object.fromEntries(errors), response);
  return response;
}

const requestCreators = new Map(
  [fetchV13, fetchV14, fetchV15, fetchV16, fetchV17].map((version) => [
    version.api.version,
    version.createRequest,
  ]),
);

/** The Fetch API of `version` with this reader; undefined for a version it does not read. */
export function readingFetchApi(version: number) {
  const createRequest = requestCreators.get(version);
  return createRequest === undefined
    ? undefined
    : createAPI(1, version, createRequest, parseResponse);
}
