// Node flags the consumer runs with (`npm run consumer`, backend:*, the benchmark). V8 grows its
// heap freely while a backlog is drained, to 350-400 MB here; a 160 MB old space and 8 MB young
// semi-spaces keep the process under 200 MB at the same throughput. The working set is a few
// batches (kafkajs fetches at most 1 MiB per partition), far below these limits.
export const consumerNodeFlags = ['--max-old-space-size=160', '--max-semi-space-size=8'] as const;
