// Keeps only committed records of a read_committed Fetch response, as the Java client does
// (CompletedFetch: aborted transactions by first offset, producers in an aborted transaction until
// their abort marker).
//
// With isolation READ_COMMITTED the broker returns records only below the partition's last stable
// offset, so every transactional batch it returns belongs to a transaction already decided, its
// marker below the high watermark; and with them, every aborted transaction that overlaps the
// records returned (the transaction index entries whose abort marker is at or after the fetch offset
// and whose first offset is below the end of the data; KIP-98). An aborted batch is therefore known
// to be aborted in the very response that carries it, whether its marker is in that response or in
// a later one: nothing needs to be held back. A transactional batch not covered by a listed abort
// was committed.
//
// @platformatic/kafka 2.12.1 filters too (consumer.js #filterUncommittedMessages), wrongly: one range
// per producer id, so a producer's earlier aborted transaction in the same response is delivered,
// and a range whose abort marker is not in the response is delivered whole. It only ever removes
// batches of an aborted transaction (the broker lists a producer's aborts in offset order), so this
// filter runs on what it leaves.
import type { fetchV17, RecordsBatch } from '@platformatic/kafka';

type FetchResponsePartition = fetchV17.FetchResponsePartition;

const isTransactional = 1 << 4;
const isControl = 1 << 5;
const abortMarker = 0; // a control record's key: version (int16), type (int16; 0 abort, 1 commit)

const isAbortMarker = (batch: RecordsBatch): boolean => {
  const key = batch.records[0]?.key;
  return key !== undefined && key !== null && key.length >= 4 && key.readInt16BE(2) === abortMarker;
};

/**
 * Empties the records of every aborted batch of the partition. The batches themselves stay: the
 * client's stream moves its next fetch offset past the partition's last batch, aborted or not.
 */
export function dropAbortedRecords(partition: FetchResponsePartition): void {
  const batches = partition.records ?? [];
  const aborted = [...(partition.abortedTransactions ?? [])].sort((a, b) =>
    a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0,
  );
  let nextAbort = 0;
  const abortingProducers = new Set<bigint>();
  for (const batch of batches) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    // Transactions listed as aborted that began at or before this batch are now open.
    while (nextAbort < aborted.length && aborted[nextAbort]!.firstOffset <= lastOffset)
      abortingProducers.add(aborted[nextAbort++]!.producerId);
    if ((batch.attributes & isControl) !== 0) {
      if (isAbortMarker(batch)) abortingProducers.delete(batch.producerId);
      continue; // the client's stream skips control batches itself
    }
    if ((batch.attributes & isTransactional) !== 0 && abortingProducers.has(batch.producerId))
      batch.records = [];
  }
}
