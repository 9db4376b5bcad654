// readRanges (replay and dead-letter redrive) on the real broker, through the port with the client
// KAFKA_CLIENT picks (the suite runs on each): a range ends where it says. A fetch returns whatever
// the partition holds, so it often carries messages at or past the end; those must be neither
// handled nor committed, or the next run (which starts at the committed offset) skips them for good.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { PartitionRange } from '../../../src/messaging/port.ts';
import { portUnderTest, type PortUnderTest } from '../../support/port-under-test.ts';

describe('readRanges', function () {
  this.timeout(120_000);
  let port: PortUnderTest;

  before(async () => {
    port = await portUnderTest();
  });
  after(() => port.close());

  /** Messages whose values are their offsets, from `from` on. */
  const numbered = (from: number, count: number) =>
    Array.from({ length: count }, (_, index) => ({ value: String(from + index) }));
  const committed = async (groupId: string, topic: string) =>
    (await port.committed(groupId, topic)).get(0);
  /** Reads the range to its end; returns the offsets handed to `handle`. */
  const read = async (topic: string, groupId: string, range: PartitionRange) => {
    const handled: number[] = [];
    const reader = await port.messaging.readRanges({
      topic,
      groupId,
      ranges: [range],
      handle: (_partition, messages, control) => {
        handled.push(...messages.map((message) => Number(message.offset)));
        return control.commit();
      },
    });
    await reader.finished;
    await reader.stop();
    return handled;
  };
  const offsets = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, index) => from + index);

  it('commits the range end, not the last offset of a fetch that reaches past it', async () => {
    const topic = await port.topic('it-range', 1, numbered(0, 10)); // one fetch returns all ten
    const groupId = `it-range-${randomBytes(4).toString('hex')}`;
    expect(await read(topic, groupId, { partition: 0, start: 2n, end: 6n })).to.deep.equal(
      offsets(2, 6),
    );
    expect(await committed(groupId, topic), 'committed offset').to.equal(6);
  });

  it('leaves messages appended after the end was fixed (a redrive) for the next run', async () => {
    const topic = await port.topic('it-range', 1, numbered(0, 5));
    const groupId = `it-range-${randomBytes(4).toString('hex')}`;
    // As redrive does: the end is the topic's end when it starts; letters keep arriving after it.
    const end = 5n;
    await port.send(topic, numbered(5, 5));
    expect(await read(topic, groupId, { partition: 0, start: 0n, end })).to.deep.equal(
      offsets(0, 5),
    );
    expect(await committed(groupId, topic), 'committed offset').to.equal(5);
    // The next run starts where this one committed, and handles every appended message.
    const next = await read(topic, groupId, { partition: 0, start: 5n, end: 10n });
    expect(next).to.deep.equal(offsets(5, 10));
    expect(await committed(groupId, topic), 'committed offset after the next run').to.equal(10);
  });
});
