// Node flags the consumer runs with (`npm run consumer`, backend:*, the benchmark). V8 grows its
// heap freely while a backlog is drained, to 350-400 MB here; a 160 MB old space and 8 MB young
// semi-spaces keep the process under 200 MB at the same throughput. The heap's working set is
// bounded by design below the old-space limit: CONSUMER_PARTITIONS_CONCURRENTLY decoded slices of
// at most CONSUMER_SLICE_MAX_BYTES (1 MiB) of values each, at most 21 MiB of heap per MiB in the
// worst shape (bench/decoded-heap.ts), about 100 MiB at 3 (docs/performance.md); fetched and
// decompressed records are Buffers, off the heap.
export const consumerNodeFlags = ['--max-old-space-size=160', '--max-semi-space-size=8'] as const;
