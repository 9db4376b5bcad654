// Transactions as Kafka's Java client writes them: aborted records stay in the log beside committed
// ones, and only the abort markers say which are which. The consumer must store the committed
// records and never an aborted one: one producer aborting twice before committing corrected copies
// of the same events; two producers interleaving theirs; and an aborted transaction larger than one
// fetch, whose abort marker no single fetch holds together with its first records.
import { expect } from 'chai';
import { generateNewEvent, generateOldEvent } from '../../../src/apps/producer/generate-event.ts';
import type { ProductPurchasedV2 } from '../../../src/domain/schemas/types.ts';
import { readDeadLetterOutcomes } from '../../support/dead-letter-outcomes.ts';
import { waitForGroupAtTopicEnd } from '../../support/group-progress.ts';
import {
  runJavaProducer,
  type JavaRecord,
  type JavaStep,
} from '../../support/java-producer/java-producer.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';
import { expectedRow, readRows, type ComparableRow } from '../../support/stored-rows.ts';

/** The consumer fetches at most 10 MiB (and 1 MiB a partition) at once: this is more than both. */
const largeAbortedEvents = 48;
const largeAbortedEventBytes = 256 * 1024;

const copyOf = (event: ProductPurchasedV2, quantity: number): ProductPurchasedV2 => ({
  ...event,
  quantity,
});
const toRecord =
  (partition: number, padTo?: number) =>
  (event: ProductPurchasedV2): JavaRecord => ({
    key: event.userId,
    value: JSON.stringify(event),
    partition,
    ...(padTo === undefined ? {} : { padTo }),
  });
const send = (
  producer: number,
  partition: number,
  events: readonly ProductPurchasedV2[],
): JavaStep => ({
  producer,
  op: 'send',
  records: events.map(toRecord(partition)),
});
const several = (count: number) => Array.from({ length: count }, () => generateNewEvent());

/** Partition 0: one producer aborts two versions of events, commits others between, then the final version. */
function oneProducer() {
  const corrected = several(5);
  const between = several(5);
  const after = [generateOldEvent()];
  const steps: JavaStep[] = [
    { producer: 0, op: 'begin' },
    send(
      0,
      0,
      corrected.map((event) => copyOf(event, 101)),
    ),
    { producer: 0, op: 'abort' },
    { producer: 0, op: 'begin' },
    send(0, 0, between),
    { producer: 0, op: 'commit' },
    { producer: 0, op: 'begin' },
    send(
      0,
      0,
      corrected.map((event) => copyOf(event, 102)),
    ),
    { producer: 0, op: 'abort' },
    { producer: 0, op: 'begin' },
    send(0, 0, [...corrected, ...after]),
    { producer: 0, op: 'commit' },
  ];
  return {
    steps,
    committed: [...between, ...corrected, ...after],
    aborted: [] as ProductPurchasedV2[],
  };
}

/** Partition 1: two producers (1 and 2) with transactions open at once, each aborting two. */
function twoProducers() {
  const ofFirst = several(4);
  const ofSecond = several(4);
  const abortedOnly = several(3);
  const abortedToo = several(3);
  const steps: JavaStep[] = [
    { producer: 1, op: 'begin' },
    { producer: 2, op: 'begin' },
    send(
      1,
      1,
      ofFirst.slice(0, 2).map((event) => copyOf(event, 201)),
    ),
    send(2, 1, ofSecond.slice(0, 2)),
    send(1, 1, [...ofFirst.slice(2).map((event) => copyOf(event, 201)), ...abortedOnly]),
    send(2, 1, ofSecond.slice(2)),
    { producer: 1, op: 'flush' },
    { producer: 2, op: 'commit' },
    { producer: 1, op: 'abort' },
    { producer: 1, op: 'begin' },
    { producer: 2, op: 'begin' },
    send(1, 1, ofFirst),
    send(
      2,
      1,
      ofSecond.map((event) => copyOf(event, 202)),
    ),
    { producer: 1, op: 'commit' },
    { producer: 2, op: 'abort' },
    // Each aborts once more, their transactions open together: producer 2's second aborted range
    // must not make the first one forgotten.
    { producer: 2, op: 'begin' },
    { producer: 1, op: 'begin' },
    send(
      2,
      1,
      ofSecond.map((event) => copyOf(event, 203)),
    ),
    send(1, 1, abortedToo),
    { producer: 2, op: 'flush' },
    { producer: 1, op: 'abort' },
    { producer: 2, op: 'abort' },
  ];
  return {
    steps,
    committed: [...ofFirst, ...ofSecond],
    aborted: [...abortedOnly, ...abortedToo],
  };
}

/** Partition 2: producer 3 aborts 12 MiB in one transaction, then commits a few small events. */
function largeAborted() {
  const aborted = several(largeAbortedEvents);
  const committed = several(3);
  const steps: JavaStep[] = [
    { producer: 3, op: 'begin' },
    { producer: 3, op: 'send', records: aborted.map(toRecord(2, largeAbortedEventBytes)) },
    { producer: 3, op: 'abort' },
    { producer: 3, op: 'begin' },
    send(3, 2, committed),
    { producer: 3, op: 'commit' },
  ];
  return { steps, committed, aborted };
}

/**
 * Last on every partition, from a producer without transactions: a committed offset at the end of
 * the partition then proves the consumer read past every transaction (a partition that ends in a
 * commit or abort marker has no record there to commit).
 */
function sentinels(producer: number, partitions: number) {
  const committed = several(partitions);
  const steps: JavaStep[] = committed.map((event, partition) => send(producer, partition, [event]));
  return { steps, committed, aborted: [] as ProductPurchasedV2[] };
}

describe('transactions written by the Java client, some aborted', function () {
  this.timeout(180_000);
  let harness: PipelineHarness;
  let rows: Map<string, ComparableRow>;
  let deadLetters: Awaited<ReturnType<typeof readDeadLetterOutcomes>>;
  const scenarios = {
    oneProducer: oneProducer(),
    twoProducers: twoProducers(),
    largeAborted: largeAborted(),
    sentinels: sentinels(4, 3),
  };

  before(async () => {
    harness = await createPipelineHarness({ partitions: 3 });
    const id = harness.config.consumerGroupId;
    await runJavaProducer({
      bootstrapServers: harness.config.kafkaBrokers.join(','),
      topic: harness.config.topic,
      producers: [
        ...[0, 1, 2, 3].map((n) => ({
          transactionalId: `${id}-tx-${n}`,
          maxRequestSize: 2 * 1024 * 1024,
        })),
        {},
      ],
      steps: [
        ...scenarios.largeAborted.steps,
        ...scenarios.oneProducer.steps,
        ...scenarios.twoProducers.steps,
        ...scenarios.sentinels.steps,
      ],
    });
    await harness.startConsumer();
    await waitForGroupAtTopicEnd(
      {
        kafka: harness.kafka,
        groupId: harness.config.consumerGroupId,
        topic: harness.config.topic,
        fatalErrors: harness.fatalErrors,
      },
      100_000, // 60 s was once too short for the group to reach the end on a loaded CI machine
    );
    rows = await readRows(harness.db);
    deadLetters = await readDeadLetterOutcomes(harness.kafka, harness.config.dlqTopic);
  });
  after(async () => {
    await harness?.close();
  });

  /**
   * The committed version of each event is stored exactly; no event only aborted is; and none is
   * dead-lettered (an aborted copy stored first makes the committed one an EVENT_ID_CONFLICT).
   */
  function expectOnlyCommitted(scenario: {
    committed: ProductPurchasedV2[];
    aborted: ProductPurchasedV2[];
  }) {
    const stored = (events: ProductPurchasedV2[]) =>
      Object.fromEntries(events.map((event) => [event.eventId, rows.get(event.eventId)]));
    expect(stored(scenario.committed)).to.deep.equal(
      Object.fromEntries(scenario.committed.map((event) => [event.eventId, expectedRow(event)])),
    );
    const abortedStored = scenario.aborted.filter((event) => rows.has(event.eventId));
    expect(
      abortedStored.map((event) => event.eventId),
      'aborted events stored',
    ).to.deep.equal([]);
    const ids = new Set([...scenario.committed, ...scenario.aborted].map((event) => event.eventId));
    const letters = deadLetters.filter(
      (letter) => letter.eventId !== undefined && ids.has(letter.eventId),
    );
    expect(letters, 'dead letters').to.deep.equal([]);
  }

  it('stores what one producer committed, not the two versions it aborted before', () => {
    expectOnlyCommitted(scenarios.oneProducer);
  });

  it('stores what each of two interleaved producers committed, none of what they aborted', () => {
    expectOnlyCommitted(scenarios.twoProducers);
  });

  it(`stores nothing of an aborted transaction larger than a fetch (${largeAbortedEvents} × 256 KiB), and what the producer committed after it`, () => {
    expectOnlyCommitted(scenarios.largeAborted);
  });

  it('stores no row that was not committed, and dead-letters nothing', () => {
    const committed = Object.values(scenarios).flatMap((scenario) => scenario.committed);
    expect([...rows.keys()].sort()).to.deep.equal(committed.map((event) => event.eventId).sort());
    expect(deadLetters).to.deep.equal([]);
  });
});
