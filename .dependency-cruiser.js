// The layer rule of src/, checked by `npm run lint` (depcruise). Imports point one way, down:
//   apps/*          the commands: consumer, replay, redrive, producer (and what only they use)
//   pipeline/       the core: one batch in, stored rows and dead letters out
//   storage/  messaging/   the database and its tables | the port to Kafka (our own interfaces)
//   runtime/        config, logging, shutdown, retrying: plumbing every layer may use
//   domain/         schemas, events, errors: what an event is and how it fails
// adapters/<client>/ implements the port with one Kafka client library and is the only folder
// that imports it. adapters/create-messaging.ts picks one (KAFKA_CLIENT) by each adapter's one
// entry; only an application's main.ts imports that selector.
// The edge of the repository (`depcruise src stack bench test/support`): stack/ (the local Kafka
// and Postgres, in kafka/ and postgres/, which do not import each other), bench/ and test/support/
// use Kafka only through that selector and the port (messaging/port.ts), so `KAFKA_CLIENT=platformatic
// npm run stack:up` never loads kafkajs; src/ stands alone, stack/ imports neither bench/ nor test/,
// bench/ no test/.
/** @param {string} name @param {string} from @param {string[]} allowed */
const layer = (name, from, allowed) => ({
  name,
  severity: 'error',
  comment: `${from} may import only ${allowed.join(', ')} inside src/`,
  from: { path: `^src/${from}/` },
  to: { path: '^src/', pathNot: allowed.map((folder) => `^src/${folder}/`) },
});

export default {
  forbidden: [
    layer('domain-imports-only-domain', 'domain', ['domain']),
    layer('runtime-imports-down', 'runtime', ['runtime', 'domain']),
    layer('storage-imports-down', 'storage', ['storage', 'runtime', 'domain']),
    layer('port-imports-only-domain', 'messaging', ['messaging', 'domain']),
    layer('pipeline-imports-down', 'pipeline', [
      'pipeline',
      'storage',
      'messaging',
      'runtime',
      'domain',
    ]),
    layer('adapter-implements-the-port', 'adapters/([^/]+)', [
      'adapters/$1',
      'messaging',
      'runtime',
      'domain',
    ]),
    {
      name: 'one-app-does-not-import-another',
      severity: 'error',
      comment: 'what two commands share lives in src/apps/*.ts or a layer below',
      from: { path: '^src/apps/([^/]+)/' },
      to: { path: '^src/apps/[^/]+/', pathNot: '^src/apps/$1/' },
    },
    {
      name: 'only-main-picks-the-kafka-client',
      severity: 'error',
      comment:
        'outside an adapter, only src/apps/<command>/main.ts imports one, and only create-messaging.ts',
      from: { path: '^src/', pathNot: ['^src/adapters/', '^src/apps/[^/]+/main\\.ts$'] },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'main-imports-the-client-selector-only',
      severity: 'error',
      from: { path: '^src/apps/[^/]+/main\\.ts$' },
      to: { path: '^src/adapters/', pathNot: '^src/adapters/create-messaging\\.ts$' },
    },
    {
      name: 'the-selector-imports-adapter-entries-only',
      severity: 'error',
      from: { path: '^src/adapters/create-messaging\\.ts$' },
      to: { path: '^src/adapters/[^/]+/', pathNot: '^src/adapters/[^/]+/create-messaging\\.ts$' },
    },
    {
      name: 'kafkajs-only-in-its-adapter',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/adapters/kafkajs/' },
      to: { path: 'node_modules/kafkajs/' },
    },
    {
      name: 'platformatic-only-in-its-adapter',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/adapters/platformatic/' },
      to: { path: 'node_modules/@platformatic/kafka/' },
    },
    {
      name: 'domain-knows-no-client',
      severity: 'error',
      comment:
        'what a failure means is read from a library at its edge (adapters/<client>/failure-kind.ts, storage/database-failure-kind.ts), never in the domain',
      from: { path: '^src/domain/' },
      to: { path: 'node_modules/(kafkajs|@platformatic/kafka|knex|pg|pg-[a-z-]+)/' },
    },
    {
      name: 'pipeline-knows-no-database-driver',
      severity: 'error',
      comment:
        "pg's errors are read in storage/; the pipeline names knex's Knex type at most, never builds with knex itself",
      from: { path: '^src/pipeline/' },
      to: { path: 'node_modules/(pg|pg-[a-z-]+)/' },
    },
    {
      name: 'pipeline-names-knex-types-only',
      severity: 'error',
      from: { path: '^src/pipeline/' },
      to: { path: 'node_modules/knex/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'src-stands-alone',
      severity: 'error',
      comment: 'src/ never imports the tests, the benchmark or the local stack',
      from: { path: '^src/' },
      to: { path: '^(test|bench|stack)/' },
    },
    {
      name: 'edge-uses-kafka-through-the-port',
      severity: 'error',
      comment:
        'stack/, bench/ and test/support/ build a Kafka client with src/adapters/create-messaging.ts only',
      from: {
        path: '^(stack|bench|test/support)/',
        pathNot: '^test/support/reference-kafkajs\\.ts$',
      },
      to: { path: '^src/adapters/', pathNot: '^src/adapters/create-messaging\\.ts$' },
    },
    {
      name: 'the-tests-kafkajs-is-built-as-the-adapter-builds-it',
      severity: 'error',
      comment:
        "test/support/reference-kafkajs.ts, the tests' own kafkajs client, takes only the kafkajs adapter's client and producer builders",
      from: { path: '^test/support/reference-kafkajs\\.ts$' },
      to: {
        path: '^src/adapters/',
        pathNot: '^src/adapters/kafkajs/(kafka-client|producer)\\.ts$',
      },
    },
    {
      name: 'stack-loads-no-kafka-client',
      severity: 'error',
      comment: 'the local stack reaches Kafka through the port, on the client KAFKA_CLIENT names',
      from: { path: '^stack/' },
      to: { path: 'node_modules/(kafkajs|@platformatic/kafka)/' },
    },
    {
      name: 'bench-loads-no-kafka-client',
      severity: 'error',
      comment:
        'the bench reaches Kafka through the port; slice-memory.ts crafts record batches the port never makes (K MiB of gzip), copies-flood.ts sends to partitions it names, and codec-costs.ts measures the library codecs themselves',
      from: { path: '^bench/', pathNot: '^bench/(slice-memory|codec-costs|copies-flood)\\.ts$' },
      to: { path: 'node_modules/(kafkajs|@platformatic/kafka)/' },
    },
    {
      name: 'stack-halves-stand-apart',
      severity: 'error',
      comment: "stack/kafka/ and stack/postgres/ share only stack/'s own helpers",
      from: { path: '^stack/(kafka|postgres)/' },
      to: { path: '^stack/(kafka|postgres)/', pathNot: '^stack/$1/' },
    },
    {
      name: 'stack-is-below-bench-and-tests',
      severity: 'error',
      from: { path: '^stack/' },
      to: { path: '^(bench|test)/' },
    },
    {
      name: 'bench-does-not-import-tests',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^test/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // `import type` counts: a type pulled from a layer above couples the layers just the same.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js'],
      // Without these a package that has only an "exports" map (@platformatic/kafka) does not
      // resolve, and no rule naming its folder under node_modules can ever match.
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
