// Workaround for kafkajs 2.2.4 (consumer/filterAbortedMessages.js): it drops the records of aborted
// transactions assuming the broker lists those transactions in offset order, and it steps into at
// most one of them per record. The broker lists them in the order they were aborted, and a fetch
// that starts inside two open transactions must step into both at once: with two producers whose
// transactions overlap, records of an aborted one were handed over as if committed. This applies
// the rule the Java client does (its fetcher's queue of aborted transactions, ordered by first
// offset) to each partition of a decoded fetch response, then leaves kafkajs's own filter an empty
// list, so it has nothing left to get wrong. An aborted record is not removed but relabelled as a
// control record: kafkajs drops those from what it hands over yet still counts them to move its
// fetch position past them (consumer/batch.js), as it does with the records its filter drops.
// Installed by bounded-fetch-decoding.ts.

/** A decoded record as kafkajs holds it, with its batch's context. */
interface FetchedRecord {
  readonly offset: string;
  readonly key?: Buffer | null;
  readonly isControlRecord?: boolean;
  readonly batchContext: { readonly producerId: string; readonly inTransaction: boolean };
}

interface AbortedTransaction {
  readonly producerId: string;
  readonly firstOffset: string;
}

// A control record's key: version 0, type 0 (ABORT); 1 is COMMIT (Kafka's ControlRecordType).
const isAbortMarker = (record: FetchedRecord): boolean =>
  record.isControlRecord === true &&
  record.key != null &&
  record.key.length >= 4 &&
  record.key.readInt16BE(2) === 0;

/**
 * The records of `records` (one partition, in offset order) that are not part of an aborted
 * transaction. A producer's transaction is aborted from the first offset the broker lists for it
 * up to that producer's abort marker; control records are kept (kafkajs drops them later).
 */
export function keepCommittedRecords<R extends FetchedRecord>(
  records: readonly R[],
  abortedTransactions: readonly AbortedTransaction[] | undefined,
): R[] {
  if (abortedTransactions === undefined || abortedTransactions.length === 0) return [...records];
  const pending = [...abortedTransactions].sort((a, b) =>
    BigInt(a.firstOffset) < BigInt(b.firstOffset) ? -1 : 1,
  );
  const abortedProducers = new Set<string>();
  return records.filter((record) => {
    const offset = BigInt(record.offset);
    while (pending.length > 0 && BigInt(pending[0]?.firstOffset ?? 0) <= offset) {
      abortedProducers.add(pending.shift()?.producerId ?? '');
    }
    const { producerId, inTransaction } = record.batchContext;
    if (isAbortMarker(record)) {
      abortedProducers.delete(producerId);
      return true;
    }
    return !(inTransaction && abortedProducers.has(producerId));
  });
}

interface DecodedFetchResponse {
  readonly responses?: readonly {
    readonly partitions: {
      messages: FetchedRecord[];
      abortedTransactions?: readonly AbortedTransaction[];
    }[];
  }[];
}

/** A fetch response module's `decode`, with the rule above applied to every partition. */
export function committedOnly(
  decode: (rawData: Buffer) => Promise<DecodedFetchResponse>,
): (rawData: Buffer) => Promise<DecodedFetchResponse> {
  return async (rawData) => {
    const response = await decode(rawData);
    for (const topic of response.responses ?? []) {
      for (const partition of topic.partitions) {
        const kept = new Set(
          keepCommittedRecords(partition.messages, partition.abortedTransactions),
        );
        partition.messages = partition.messages.map((record) =>
          kept.has(record) ? record : { ...record, isControlRecord: true },
        );
        partition.abortedTransactions = [];
      }
    }
    return response;
  };
}
