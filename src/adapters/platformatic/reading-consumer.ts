// The client's consumer, reading Fetch responses the adapter's way (fetch-response-reader.ts) and
// keeping only committed records (committed-records.ts). Its message streams call `fetch` for every
// request, so the response is settled here before a stream sees it: aborted records emptied, and a
// partition with a batch that cannot be read noted for that stream and fetched no more by it.
import {
  Consumer,
  FetchIsolationLevels,
  kGetApi,
  type CallbackWithPromise,
  type ConsumerOptions,
  type FetchOptions,
  type fetchV17,
  type RecordsBatch,
} from '@platformatic/kafka';
import type { UnreadableBatch } from '../../messaging/port.ts';
import { dropAbortedRecords } from './committed-records.ts';
import { readingFetchApi, unreadableBatchOf } from './fetch-response-reader.ts';

export interface NotedUnreadable extends UnreadableBatch {
  /** The last message the stream was given before the batch; undefined: none in that fetch. */
  readonly lastMessageBefore: bigint | undefined;
}

/** What one stream's fetches found unreadable, per partition (each stream reads one topic). */
export class StreamReadState {
  readonly unreadable = new Map<number, NotedUnreadable>();
  /** Called when a partition is noted (the stream may push nothing else to wake its reader). */
  onNoted: () => void = () => undefined;
}

type FetchResponse = fetchV17.FetchResponse;
type Options = ConsumerOptions<Buffer, Buffer, Buffer, Buffer>;
type Fetch = FetchOptions<Buffer, Buffer, Buffer, Buffer>;

const emptyResponse = (): FetchResponse => ({
  throttleTimeMs: 0,
  errorCode: 0,
  sessionId: 0,
  responses: [],
  nodeEndpoints: [],
});

export class ReadingConsumer extends Consumer<Buffer, Buffer, Buffer, Buffer> {
  // Keyed by the stream's own connection pool, which the stream passes with each fetch.
  readonly #states = new WeakMap<object, StreamReadState>();
  /** A fetch's records after its last message hold none (the port's onRecordsWithoutMessages). */
  onRecordsWithoutMessages: (partition: number, from: bigint, to: bigint) => void = () => undefined;

  constructor(options: Options) {
    super({ ...options, isolationLevel: FetchIsolationLevels.READ_COMMITTED });
  }

  readState(stream: { readonly connections: object }): StreamReadState {
    return this.#stateOf(stream.connections);
  }

  #stateOf(pool: object): StreamReadState {
    let state = this.#states.get(pool);
    if (state === undefined) this.#states.set(pool, (state = new StreamReadState()));
    return state;
  }

  override [kGetApi]<RequestArguments extends unknown[], ResponseType>(
    name: string,
    callback: (error: Error | null, api: never) => void,
  ): void {
    super[kGetApi]<RequestArguments, ResponseType>(name, (error, api) => {
      if (error !== null || name !== 'Fetch' || api === undefined)
        return callback(error, api as never);
      callback(null, (readingFetchApi(api.version) ?? api) as never);
    });
  }

  override fetch(options: Fetch, callback: CallbackWithPromise<FetchResponse>): void;
  override fetch(options: Fetch): Promise<FetchResponse>;
  override fetch(
    options: Fetch,
    callback?: CallbackWithPromise<FetchResponse>,
  ): void | Promise<FetchResponse> {
    // A fetch of no stream of ours (a direct call) shares one state.
    return this.#settledFetch(options, this.#stateOf(options.connectionPool ?? this), callback);
  }

  #settledFetch(
    options: Fetch,
    state: StreamReadState,
    callback?: CallbackWithPromise<FetchResponse>,
  ): void | Promise<FetchResponse> {
    const topics = options.topics
      .map((topic) => ({
        ...topic,
        partitions: topic.partitions.filter(({ partition }) => !state.unreadable.has(partition)),
      }))
      .filter((topic) => topic.partitions.length > 0);
    const requested = new Map(
      topics.flatMap((topic) => topic.partitions.map((p) => [p.partition, p.fetchOffset])),
    );
    const settle = (response: FetchResponse) => {
      for (const topic of response.responses)
        for (const partition of topic.partitions) {
          dropAbortedRecords(partition);
          const batch = unreadableBatchOf(partition);
          const fetchOffset = requested.get(partition.partitionIndex);
          if (fetchOffset === undefined) continue;
          const lastMessage = lastMessageOffset(partition.records ?? [], fetchOffset);
          if (batch === undefined) {
            // The client commits up to a message, never past a marker after it: idle, such a
            // partition would read one behind for ever.
            const from = lastMessage === undefined ? fetchOffset : lastMessage + 1n;
            const to = recordsEnd(partition.records ?? []);
            if (to > from) this.onRecordsWithoutMessages(partition.partitionIndex, from, to);
            continue;
          }
          state.unreadable.set(partition.partitionIndex, {
            ...batch,
            lastMessageBefore: lastMessage,
          });
          state.onNoted();
        }
      return response;
    };
    // Every assigned partition is unreadable: an empty answer after the usual wait, as the broker
    // gives when there is nothing new.
    if (topics.length === 0) {
      if (callback === undefined) return Promise.resolve(emptyResponse());
      setTimeout(() => callback(null, emptyResponse()), options.maxWaitTime ?? 1_000);
      return;
    }
    if (callback === undefined) return super.fetch({ ...options, topics }).then(settle);
    super.fetch({ ...options, topics }, (error, response) => {
      if (error === null && response !== undefined) settle(response);
      callback(error, response);
    });
  }
}

/** The offset after the batches' last record, message or not (0 without batches). */
function recordsEnd(batches: readonly RecordsBatch[]): bigint {
  let end = 0n;
  for (const batch of batches) {
    const after = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
    if (after > end) end = after;
  }
  return end;
}

/** The offset of the last record the stream will hand over from these batches. */
function lastMessageOffset(
  batches: NonNullable<FetchResponse['responses'][number]['partitions'][number]['records']>,
  fetchOffset: bigint,
): bigint | undefined {
  let last: bigint | undefined;
  for (const batch of batches) {
    if ((batch.attributes & (1 << 5)) !== 0) continue; // control batch
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta);
      if (offset >= fetchOffset) last = offset;
    }
  }
  return last;
}
