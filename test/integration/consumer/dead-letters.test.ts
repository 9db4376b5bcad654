// Events that can never be stored go to the dead-letter topic, untouched and explained, while the
// valid events around them are stored and the partition moves on.
import { expect } from 'chai';
import type { KafkaMessage } from 'kafkajs';
import { deadLetterHeaders } from '../../../src/pipeline/to-dead-letter.ts';
import { generateNewEvent, generateOldEvent } from '../../../src/apps/producer/generate-event.ts';
import { storeAsOlderConsumer } from '../../support/older-consumer.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';

const header = (message: KafkaMessage, name: string) => message.headers?.[name]?.toString();

describe('dead letters', function () {
  this.timeout(120_000);
  let harness: PipelineHarness;

  beforeEach(async () => {
    harness = await createPipelineHarness({ partitions: 1 });
  });
  afterEach(async () => {
    await harness.close();
  });

  it('carry each unstorable event with its original bytes, the right code and where it came from', async () => {
    const valid = [generateOldEvent(), generateNewEvent(), generateNewEvent()];
    const [first, second, third] = valid;
    const conflicting = { ...first, price: 1.01 };
    const nulInMetadata = { ...generateOldEvent(), metadata: { note: 'a\u0000b' } };
    const bad: { value: Buffer | null; code: string }[] = [
      { value: Buffer.from('{"eventId": "evt_trunc'), code: 'EVENT_MALFORMED' },
      { value: Buffer.from([0xc3, 0x28, 0x7b, 0x7d]), code: 'EVENT_MALFORMED' },
      { value: null, code: 'EVENT_MALFORMED' },
      {
        value: Buffer.from(JSON.stringify({ ...generateOldEvent(), currency: 'US' })),
        code: 'EVENT_SCHEMA_VIOLATION',
      },
      { value: Buffer.from(JSON.stringify(conflicting)), code: 'EVENT_ID_CONFLICT' },
      { value: Buffer.from(JSON.stringify(nulInMetadata)), code: 'EVENT_REJECTED_BY_DATABASE' },
    ];
    const otherType = Buffer.from(
      JSON.stringify({ ...generateOldEvent(), eventType: 'product.viewed' }),
    );
    const asMessage = (value: Buffer | null) => ({
      key: 'user_1',
      value,
      headers: { 'trace-id': 'abc' },
    });
    await harness.produce([
      asMessage(Buffer.from(JSON.stringify(first))),
      ...bad.slice(0, 3).map(({ value }) => asMessage(value)),
      asMessage(otherType),
      asMessage(Buffer.from(JSON.stringify(second))),
      ...bad.slice(3).map(({ value }) => asMessage(value)),
      asMessage(Buffer.from(JSON.stringify(third))),
    ]);

    await harness.startConsumer();
    await harness.waitForRows(valid.length);
    const letters = await harness.readDeadLetters(bad.length);

    expect(letters.map((letter) => header(letter, deadLetterHeaders.code))).to.deep.equal(
      bad.map((b) => b.code),
    );
    letters.forEach((letter, i) => {
      const value = bad[i]?.value ?? null;
      expect(
        letter.value === null ? null : Buffer.compare(letter.value, value ?? Buffer.alloc(0)),
      ).to.equal(value === null ? null : 0);
      expect(letter.key?.toString()).to.equal('user_1');
      expect(header(letter, 'trace-id')).to.equal('abc');
      expect(header(letter, deadLetterHeaders.topic)).to.equal(harness.config.topic);
      expect(header(letter, deadLetterHeaders.partition)).to.equal('0');
      expect(header(letter, deadLetterHeaders.group)).to.equal(harness.config.consumerGroupId);
      expect(header(letter, deadLetterHeaders.reason)).to.be.a('string').and.not.equal('');
      expect(Date.parse(header(letter, deadLetterHeaders.failedAt) ?? '')).to.be.closeTo(
        Date.now(),
        120_000,
      );
    });
    // Offsets of the bad messages as produced: 1, 2, 3, then 6, 7, 8 (4 is the skipped type, 5 valid).
    expect(letters.map((letter) => header(letter, deadLetterHeaders.offset))).to.deep.equal([
      '1',
      '2',
      '3',
      '6',
      '7',
      '8',
    ]);
    expect(header(letters[3] as KafkaMessage, deadLetterHeaders.reason)).to.equal(
      '/currency must match pattern "^[A-Z]{3}$"',
    );

    const stored = await harness
      .db<{ event_id: string; price: string }>('product_events')
      .select('event_id', 'price');
    expect(stored.map((row) => row.event_id).sort()).to.deep.equal(
      valid.map((event) => event.eventId).sort(),
    );
    const firstRow = stored.find((row) => row.event_id === first?.eventId);
    expect(firstRow?.price).to.equal(first?.price.toFixed(2));
    await harness.expectNothingLost();
  });

  it('reject an event whose eventId is stored with different content, keeping the stored row', async () => {
    const event = generateNewEvent();
    await harness.produceEvents([event]);
    await harness.startConsumer();
    await harness.waitForRows(1);

    await harness.produceEvents([{ ...event, productName: 'Something else entirely' }]);
    const [letter] = await harness.readDeadLetters(1);
    expect(header(letter as KafkaMessage, deadLetterHeaders.code)).to.equal('EVENT_ID_CONFLICT');
    const [row] = await harness
      .db<Record<string, unknown>>('product_events')
      .select('product_name');
    expect(row).to.deep.equal({ product_name: event.productName });
    await harness.expectNothingLost();
  });
});

describe('replaying an event first stored by a consumer that predates v2', function () {
  this.timeout(120_000);
  let harness: PipelineHarness;

  beforeEach(async () => {
    harness = await createPipelineHarness();
  });
  afterEach(async () => {
    await harness.close();
  });

  it('fills in the new columns and the address (a backfill)', async () => {
    const event = {
      ...generateNewEvent(),
      discountCode: 'SUMMER2025',
      discountAmount: 20,
      taxAmount: 10.99,
      shippingAddress: {
        street: '123 Main St',
        city: 'San Francisco',
        state: 'CA',
        zipCode: '94102',
        country: 'USA',
      },
    };
    await storeAsOlderConsumer(harness.db, [event]);

    await harness.produceEvents([event]);
    await harness.startConsumer();
    await harness.waitForRows(1, 'shipping_addresses');

    const [row] = await harness
      .db<Record<string, unknown>>('product_events')
      .select('discount_code', 'discount_amount', 'tax_amount');
    expect(row).to.deep.equal({
      discount_code: 'SUMMER2025',
      discount_amount: '20.00',
      tax_amount: '10.99',
    });
    const [address] = await harness
      .db<Record<string, unknown>>('shipping_addresses')
      .select('street', 'city', 'state', 'zip_code', 'country');
    expect(address).to.deep.equal({
      street: '123 Main St',
      city: 'San Francisco',
      state: 'CA',
      zip_code: '94102',
      country: 'USA',
    });
    expect(await harness.countRows()).to.equal(1);
    await harness.expectNothingLost();
  });
});
