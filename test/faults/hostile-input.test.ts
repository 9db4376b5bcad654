// Hostile input: every kind of message a careless or malicious producer can write, each with the one
// outcome it must have (stored exactly, dead-lettered with the right code, or skipped), interleaved
// with valid events, on one partition and spread over three. Real Kafka, real Postgres, both private.
import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import type { KafkaMessage, Message } from 'kafkajs';
import { deadLetterHeaders } from '../../src/pipeline/to-dead-letter.ts';
import { generateNewEvent, generateOldEvent } from '../../src/apps/producer/generate-event.ts';
import type { ProductPurchasedV2 } from '../../src/domain/schemas/types.ts';
import { createPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.ts';
import { waitUntil } from '../support/wait-until.ts';
import { groupLag, waitForGroupAtTopicEnd } from '../support/group-progress.ts';
import { hostileCorpus, type HostileCase, type HostileMessage } from './support/hostile-corpus.ts';
import { startPrivateKafka, type PrivateKafka } from './support/private-kafka.ts';
import { startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.ts';
import {
  expectedAddress,
  expectedRow,
  readAddresses,
  readRows,
  rowMatches,
  type ComparableAddress,
  type ComparableRow,
} from '../support/stored-rows.ts';

interface Planned {
  /** The hostile case's kind, or `valid` for the events between them. */
  readonly kind: string;
  readonly message: HostileMessage;
  readonly partition: number;
  readonly offset: number;
  readonly phase: 1 | 2;
}

const validKind = 'valid';

const validMessage = (event: ProductPurchasedV2): HostileMessage => ({
  key: event.userId,
  value: Buffer.from(JSON.stringify(event)),
  headers: {},
  content: event,
  secrets: [],
  expected: { outcome: 'stored', event },
});

/**
 * Lays the corpus out on the partitions: case i on partition i mod n, a valid event before each
 * case, one after the last on every partition. Phase 2 the same, after phase 1 is stored. The two
 * 1 MB cases come last in phase 1 (see the test `a message as large as the broker accepts`).
 */
function plan(cases: readonly HostileCase[], partitions: number): Planned[] {
  const planned: Planned[] = [];
  const nextOffset = Array.from({ length: partitions }, () => 0);
  const put = (kind: string, message: HostileMessage, partition: number, phase: 1 | 2) => {
    const offset = nextOffset[partition] ?? 0;
    nextOffset[partition] = offset + 1;
    planned.push({ kind, message, partition, offset, phase });
  };
  for (const phase of [1, 2] as const) {
    cases
      .filter((hostile) => hostile.phase === phase)
      .forEach((hostile, i) => {
        const partition = i % partitions;
        const valid = i % 2 === 0 ? generateOldEvent() : generateNewEvent();
        put(validKind, validMessage(valid), partition, phase);
        for (const message of hostile.messages) put(hostile.kind, message, partition, phase);
      });
    for (let partition = 0; partition < partitions; partition += 1) {
      put(validKind, validMessage(generateNewEvent()), partition, phase);
    }
  }
  return planned;
}

const toKafkaMessage = (planned: Planned, sequence: number): Message => ({
  key: planned.message.key,
  value: planned.message.value,
  partition: planned.partition,
  headers: {
    ...planned.message.headers,
    'test-kind': planned.kind,
    'test-sequence': String(sequence),
  },
});

/** Produces in order, a few hundred kB per request at most, a message near 1 MB alone. */
async function produceInOrder(harness: PipelineHarness, planned: readonly Planned[]) {
  const limit = 256 * 1024;
  let chunk: Message[] = [];
  let bytes = 0;
  for (const [sequence, item] of planned.entries()) {
    const size = item.message.value?.length ?? 0;
    if (chunk.length > 0 && (bytes + size > limit || chunk.length >= 100)) {
      await harness.produce(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(toKafkaMessage(item, sequence));
    bytes += size;
  }
  if (chunk.length > 0) await harness.produce(chunk);
}

const headerValues = (letter: KafkaMessage, name: string): string[] => {
  const value = letter.headers?.[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((item) => item.toString());
};
const header = (letter: KafkaMessage, name: string) => headerValues(letter, name).join(',');
const bytesOf = (value: Buffer | null) => (value === null ? null : value.toString('base64'));

const expectedLabel = (message: HostileMessage) =>
  message.expected.outcome === 'dead-lettered'
    ? `dead-lettered ${message.expected.code}`
    : message.expected.outcome === 'stored'
      ? 'stored'
      : 'skipped';

function observedLabel(
  message: HostileMessage,
  letter: KafkaMessage | undefined,
  rows: ReadonlyMap<string, ComparableRow>,
): string {
  if (letter !== undefined) return `dead-lettered ${header(letter, deadLetterHeaders.code)}`;
  const content = message.content;
  if (content !== undefined && typeof content.eventId === 'string') {
    let stored = false;
    try {
      stored = rowMatches(rows.get(content.eventId), content);
    } catch {
      stored = false; // content no row can equal (a price that is not a number, ...)
    }
    if (stored) return 'stored';
  }
  return 'skipped';
}

/** Waits until every partition is committed to its end, or the consumer has stopped. */
async function settle(harness: PipelineHarness): Promise<void> {
  await waitUntil(
    'the consumer to commit every partition to its end, or to stop',
    async () => {
      if (harness.fatalErrors.length > 0) return true;
      const lag = await groupLag(
        harness.kafka,
        harness.config.consumerGroupId,
        harness.config.topic,
      );
      return lag.every((p) => p.committed === p.end || p.end === 0);
    },
    120_000,
    250,
  );
}

const describeError = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

interface Tally {
  messages: number;
  stored: number;
  skipped: number;
  readonly deadLetteredByCode: Record<string, number>;
}

describe('hostile input', function () {
  let pg: PrivatePostgres | undefined;
  let kafka: PrivateKafka | undefined;
  let harness: PipelineHarness | undefined;
  let kinds = 0;
  const partitionsRun: number[] = [];
  const tally: Tally = { messages: 0, stored: 0, skipped: 0, deadLetteredByCode: {} };
  const services = () => {
    if (pg === undefined || kafka === undefined) throw new Error('services not started');
    return { databaseUrl: pg.url, kafkaBrokers: kafka.brokers };
  };

  before(async () => {
    const [postgres, broker] = await Promise.allSettled([
      startPrivatePostgres(),
      startPrivateKafka(),
    ]);
    if (postgres.status === 'fulfilled') pg = postgres.value;
    if (broker.status === 'fulfilled') kafka = broker.value;
    if (postgres.status === 'rejected') throw postgres.reason;
    if (broker.status === 'rejected') throw broker.reason;
  });
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });
  after(async () => {
    await kafka?.destroy();
    await pg?.destroy();
    if (partitionsRun.length > 0) {
      const { messages, stored, deadLetteredByCode, skipped } = tally;
      console.log(
        JSON.stringify({
          scenario: 'hostile input',
          kinds,
          messages,
          stored,
          deadLetteredByCode,
          skipped,
          partitions: partitionsRun,
        }),
      );
    }
  });

  for (const partitions of [1, 3]) {
    const spread = partitions === 1 ? 'on one partition' : `spread over ${partitions} partitions`;
    it(`gives every kind of hostile message exactly its outcome, among valid events ${spread}, and the consumer never stops`, async () => {
      const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
      const corpus = hostileCorpus();
      kinds = corpus.length;
      expect(kinds).to.be.at.least(25);
      const planned = plan(corpus, partitions);
      harness = await createPipelineHarness({ partitions, services: services() });
      const running = harness;

      await produceInOrder(
        running,
        planned.filter((item) => item.phase === 1),
      );
      await running.startConsumer();
      const groupAtEnd = () =>
        waitForGroupAtTopicEnd({
          kafka: running.kafka,
          groupId: running.config.consumerGroupId,
          topic: running.config.topic,
          fatalErrors: running.fatalErrors,
        });
      await groupAtEnd();
      await produceInOrder(
        running,
        planned.filter((item) => item.phase === 2),
      );
      const lag = await groupAtEnd();

      // The partitions kept moving, the consumer never stopped.
      expect(running.fatalErrors.map(describeError)).to.deep.equal([]);
      expect(lag.map((p) => p.committed)).to.deep.equal(
        Array.from({ length: partitions }, (_, partition) =>
          planned.reduce((n, item) => n + (item.partition === partition ? 1 : 0), 0),
        ),
      );

      const expectedLetters = planned.filter(
        (item) => item.message.expected.outcome === 'dead-lettered',
      );
      const letters = await running.readDeadLetters(await running.deadLetterCount());
      const letterAt = new Map(
        letters.map((letter) => [
          `${header(letter, deadLetterHeaders.partition)}/${header(letter, deadLetterHeaders.offset)}`,
          letter,
        ]),
      );
      const letterOf = (item: Planned) => letterAt.get(`${item.partition}/${item.offset}`);
      const rows = await readRows(running.db);
      const addresses = await readAddresses(running.db);

      // Every hostile message has exactly its outcome ...
      const wrongOutcomes = planned
        .filter((item) => item.kind !== validKind)
        .map((item) => ({
          kind: item.kind,
          expected: expectedLabel(item.message),
          observed: observedLabel(item.message, letterOf(item), rows),
        }))
        .filter(({ expected, observed }) => observed !== expected)
        .map(({ kind, expected, observed }) => `${kind}: expected ${expected}, got ${observed}`);
      expect(wrongOutcomes).to.deep.equal([]);
      // ... and every valid event around them is stored.
      const validNotStored = planned
        .filter((item) => item.kind === validKind)
        .filter((item) => observedLabel(item.message, letterOf(item), rows) !== 'stored');
      expect(validNotStored.map((item) => item.message.content?.eventId)).to.deep.equal([]);
      // Each message dead-lettered once at most, and nothing else dead-lettered.
      const twice = letters
        .map((letter) => header(letter, 'test-kind'))
        .filter((kind, i, all) => all.indexOf(kind) !== i && kind !== validKind);
      const lettersOfMessagesTwice = letters.length - letterAt.size;
      expect({ lettersOfMessagesTwice, twice }).to.deep.equal({
        lettersOfMessagesTwice: 0,
        twice: [],
      });
      expect(letters.length).to.equal(expectedLetters.length);

      // Stored means stored exactly: every column, and nothing else stored.
      const storedEvents = new Map<string, ProductPurchasedV2>();
      for (const { message } of planned) {
        if (message.expected.outcome === 'stored') {
          storedEvents.set(message.expected.event.eventId, message.expected.event);
        }
      }
      expect([...rows.keys()].sort()).to.deep.equal([...storedEvents.keys()].sort());
      for (const [eventId, event] of storedEvents) {
        expect(rows.get(eventId), `row of ${eventId}`).to.deep.equal(expectedRow(event));
      }
      const expectedAddresses = new Map<string, ComparableAddress>();
      for (const event of storedEvents.values()) {
        const address = expectedAddress(event);
        if (address !== null) expectedAddresses.set(address.event_id, address);
      }
      expect(Object.fromEntries(addresses)).to.deep.equal(Object.fromEntries(expectedAddresses));

      // Dead letters carry the original bytes, key and headers, and say why without echoing data.
      for (const item of expectedLetters) {
        const { message } = item;
        const letter = letterOf(item);
        const what = `dead letter of "${item.kind}"`;
        expect(letter, what).to.not.equal(undefined);
        if (letter === undefined || message.expected.outcome !== 'dead-lettered') continue;
        expect(bytesOf(letter.value), what).to.equal(bytesOf(message.value));
        expect(letter.key?.toString() ?? null, what).to.equal(message.key);
        expect(headerValues(letter, deadLetterHeaders.code), what).to.deep.equal([
          message.expected.code,
        ]);
        expect(header(letter, 'test-kind'), what).to.equal(item.kind);
        for (const [name, value] of Object.entries(message.headers)) {
          if (!name.startsWith('dlq.')) expect(header(letter, name), what).to.equal(value);
        }
        expect(header(letter, deadLetterHeaders.topic), what).to.equal(running.config.topic);
        expect(header(letter, deadLetterHeaders.group), what).to.equal(
          running.config.consumerGroupId,
        );
        expect(Date.parse(header(letter, deadLetterHeaders.failedAt)), what).to.be.closeTo(
          Date.now(),
          300_000,
        );
        const reason = header(letter, deadLetterHeaders.reason);
        expect(reason, what).to.not.equal('');
        expect(reason, what).to.not.match(/spoofed/);
        if (message.expected.reasonMentions !== undefined) {
          expect(reason, what).to.include(message.expected.reasonMentions);
        }
        const leaked = message.secrets.filter((secret) => reason.includes(secret));
        expect(leaked, `${what}: its reason "${reason}" echoes event data`).to.deep.equal([]);
      }

      // The SQL-injection strings did nothing; no key reached Object.prototype.
      const tables = await running.db.raw<{ rows: Record<string, boolean>[] }>(
        `SELECT to_regclass('product_events') IS NOT NULL AS product_events,
                to_regclass('shipping_addresses') IS NOT NULL AS shipping_addresses`,
      );
      expect(tables.rows).to.deep.equal([{ product_events: true, shipping_addresses: true }]);
      const migrationFiles = readdirSync('migrations').filter((file) => file.endsWith('.ts'));
      expect(await running.db('knex_migrations').count<{ n: string }[]>({ n: '*' })).to.deep.equal([
        { n: String(migrationFiles.length) },
      ]);
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).to.deep.equal(prototypeBefore);
      const probe: Record<string, unknown> = {};
      expect([probe['polluted'], probe['isAdmin']]).to.deep.equal([undefined, undefined]);

      partitionsRun.push(partitions);
      tally.messages += planned.length;
      tally.stored += rows.size;
      for (const letter of letters) {
        const code = header(letter, deadLetterHeaders.code);
        tally.deadLetteredByCode[code] = (tally.deadLetteredByCode[code] ?? 0) + 1;
      }
      tally.skipped += planned.filter(
        (item) => observedLabel(item.message, letterOf(item), rows) === 'skipped',
      ).length;
    });
  }

  describe('an eventId used twice', function () {
    it('dead-letters only the conflicting copy when a redelivery of the stored event follows it in the same batch', async () => {
      harness = await createPipelineHarness({ partitions: 1, services: services() });
      const stored = generateNewEvent();
      const conflicting = { ...stored, quantity: stored.quantity + 1 };
      await harness.produceEvents([stored]);
      await harness.startConsumer();
      await harness.waitForRows(1);
      // One request is one record batch, which the consumer reads as one batch.
      await harness.produceEvents([conflicting, stored]);
      await settle(harness);

      expect(harness.fatalErrors.map(describeError)).to.deep.equal([]);
      const letters = await harness.readDeadLetters(await harness.deadLetterCount());
      expect(
        letters.map((letter) => ({
          code: header(letter, deadLetterHeaders.code),
          offset: header(letter, deadLetterHeaders.offset),
        })),
      ).to.deep.equal([{ code: 'EVENT_ID_CONFLICT', offset: '1' }]);
      expect([...(await readRows(harness.db)).values()]).to.deep.equal([expectedRow(stored)]);
    });
  });

  describe('the consumer survives', function () {
    /** Produces each value alone (so each can be as large as the broker takes), then runs. */
    async function runThrough(values: readonly (Buffer | null)[], partitions = 1) {
      harness = await createPipelineHarness({ partitions, services: services() });
      for (const value of values) await harness.produce([{ key: 'user_hostile', value }]);
      await harness.startConsumer();
      await settle(harness);
      return harness;
    }
    const valid = () => Buffer.from(JSON.stringify(generateOldEvent()));

    it('metadata nested 10 000 and 100 000 levels deep, dead-lettering or storing it', async () => {
      const deep = (depth: number) =>
        Buffer.from(
          JSON.stringify({ ...generateOldEvent(), metadata: '@@' }).replace(
            '"@@"',
            `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
          ),
        );
      const values = [valid(), deep(10_000), valid(), deep(100_000), valid()];
      const running = await runThrough(values);

      expect(running.fatalErrors.map(describeError)).to.deep.equal([]);
      const letters = await running.readDeadLetters(await running.deadLetterCount());
      const stored = await running.countRows();
      // Three valid events stored, and each deep one either stored or dead-lettered, never lost.
      expect(stored + letters.length).to.equal(values.length);
      for (const letter of letters) {
        expect(header(letter, deadLetterHeaders.code)).to.be.oneOf([
          'EVENT_TOO_LARGE',
          'EVENT_SCHEMA_VIOLATION',
          'EVENT_REJECTED_BY_DATABASE',
        ]);
      }
    });

    it('a message as large as the broker accepts (1 048 400 bytes), dead-lettering it intact', async () => {
      const event = { ...generateOldEvent(), productName: '' };
      event.productName = 'x'.repeat(1_048_400 - Buffer.byteLength(JSON.stringify(event)));
      const big = Buffer.from(JSON.stringify(event));
      const running = await runThrough([valid(), big, valid()]);

      expect(running.fatalErrors.map(describeError)).to.deep.equal([]);
      expect(await running.countRows()).to.equal(2);
      const [letter] = await running.readDeadLetters(1);
      expect(letter?.value?.equals(big)).to.equal(true);
      expect(header(letter as KafkaMessage, deadLetterHeaders.code)).to.equal(
        'EVENT_SCHEMA_VIOLATION',
      );
    });

    it('a backlog of 5 000 small malformed messages with one key, dead-lettering them all', async () => {
      const count = 5_000;
      harness = await createPipelineHarness({ partitions: 1, services: services() });
      for (let sent = 0; sent < count; sent += 500) {
        await harness.produce(
          Array.from({ length: 500 }, (_, i) => ({
            key: 'user_hostile',
            value: Buffer.from(`{"eventId": "evt_${sent + i}", "trunc`),
          })),
        );
      }
      await harness.produce([{ key: 'user_hostile', value: valid() }]);
      await harness.startConsumer();
      await settle(harness);

      expect(harness.fatalErrors.map(describeError)).to.deep.equal([]);
      expect(await harness.deadLetterCount()).to.equal(count);
      expect(await harness.countRows()).to.equal(1);
    });
  });
});
