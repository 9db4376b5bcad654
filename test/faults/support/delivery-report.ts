// What became of the events a stream produced: the rows stored and the dead letters, compared id by
// id with what was produced, exactly, for a fault test's assertions and its one-line summary.
import { expect } from 'chai';
import type { KafkaMessage } from 'kafkajs';
import type { PipelineHarness } from '../../support/pipeline-harness.ts';
import type { EventStream } from './event-stream.ts';

export interface Delivery {
  /** Events the broker acknowledged. */
  readonly produced: number;
  /** Produced events that carry a shipping address. */
  readonly producedWithAddress: number;
  /** product_events rows. */
  readonly stored: number;
  /** shipping_addresses rows. */
  readonly addresses: number;
  readonly deadLettered: number;
  /** Stored rows that were not produced, plus every extra copy of a produced id in table + DLQ. */
  readonly duplicates: number;
  /** Produced ids neither stored nor dead-lettered. */
  readonly lost: number;
  /** Produced ids with no row. */
  readonly notStored: readonly string[];
  /** Rows whose id was never produced. */
  readonly notProduced: readonly string[];
  /** Produced events with an address whose address has no row. */
  readonly addressesNotStored: readonly string[];
  /** Address rows of events produced without one (or never produced). */
  readonly addressesNotProduced: readonly string[];
}

function eventIdOf(message: KafkaMessage): string | undefined {
  try {
    const parsed = JSON.parse(message.value?.toString('utf8') ?? '') as { eventId?: unknown };
    return typeof parsed.eventId === 'string' ? parsed.eventId : undefined;
  } catch {
    return undefined;
  }
}

const difference = (from: Iterable<string>, without: ReadonlySet<string>) =>
  [...from].filter((id) => !without.has(id));

export async function deliveryOf(
  harness: PipelineHarness,
  stream: Pick<EventStream, 'ids' | 'idsWithAddress'>,
): Promise<Delivery> {
  const storedIds = (
    await harness.db('product_events').select<{ event_id: string }[]>('event_id')
  ).map((row) => row.event_id);
  const addressIds = (
    await harness.db('shipping_addresses').select<{ event_id: string }[]>('event_id')
  ).map((row) => row.event_id);
  const deadLettered = await harness.deadLetterCount();
  const deadLetterIds =
    deadLettered === 0
      ? []
      : (await harness.readDeadLetters(deadLettered))
          .map(eventIdOf)
          .filter((id) => id !== undefined);

  const copies = new Map<string, number>();
  for (const id of [...storedIds, ...deadLetterIds]) copies.set(id, (copies.get(id) ?? 0) + 1);
  const notProduced = difference(storedIds, stream.ids);
  let duplicates = notProduced.length;
  for (const id of stream.ids) duplicates += Math.max(0, (copies.get(id) ?? 0) - 1);

  return {
    produced: stream.ids.size,
    producedWithAddress: stream.idsWithAddress.size,
    stored: storedIds.length,
    addresses: addressIds.length,
    deadLettered,
    duplicates,
    lost: difference(stream.ids, new Set(copies.keys())).length,
    notStored: difference(stream.ids, new Set(storedIds)),
    notProduced,
    addressesNotStored: difference(stream.idsWithAddress, new Set(addressIds)),
    addressesNotProduced: difference(addressIds, stream.idsWithAddress),
  };
}

/** Every produced event stored exactly once with its address, nothing else stored or dead-lettered. */
export function expectEveryEventStoredOnce(delivery: Delivery): void {
  const { notStored, notProduced, addressesNotStored, addressesNotProduced } = delivery;
  expect(
    notStored.slice(0, 5),
    `${notStored.length} produced events have no row, e.g.`,
  ).to.deep.equal([]);
  expect(
    notProduced.slice(0, 5),
    `${notProduced.length} rows of events never produced, e.g.`,
  ).to.deep.equal([]);
  expect(delivery.stored, 'product_events rows').to.equal(delivery.produced);
  expect(
    addressesNotStored.slice(0, 5),
    `${addressesNotStored.length} produced addresses have no row, e.g.`,
  ).to.deep.equal([]);
  expect(
    addressesNotProduced.slice(0, 5),
    `${addressesNotProduced.length} address rows of events produced without one, e.g.`,
  ).to.deep.equal([]);
  expect(delivery.addresses, 'shipping_addresses rows').to.equal(delivery.producedWithAddress);
  expect(delivery.deadLettered, 'dead letters').to.equal(0);
  expect(delivery.duplicates, 'duplicates').to.equal(0);
  expect(delivery.lost, 'lost events').to.equal(0);
}

/** The figures of the one-line summary (the id lists stay out of it). */
export function deliveryFigures(delivery: Delivery) {
  const { produced, producedWithAddress, stored, addresses, deadLettered, duplicates, lost } =
    delivery;
  return { produced, producedWithAddress, stored, addresses, deadLettered, duplicates, lost };
}
