// A batch the handler commits only in part (its write budget spent): the part is committed and the
// rest comes back first in the stream's next round, before anything read after it.
import { EventEmitter } from 'node:events';
import type { Consumer } from '@platformatic/kafka';
import { expect } from 'chai';
import { handleRound } from '../../../../src/adapters/platformatic/handle-round.ts';
import { StreamReadState } from '../../../../src/adapters/platformatic/reading-consumer.ts';
import {
  streamRounds,
  type KafkaMessage,
  type KafkaStream,
  type PartitionRound,
} from '../../../../src/adapters/platformatic/stream-rounds.ts';
import type { GroupConsumerOptions } from '../../../../src/messaging/port.ts';

const message = (partition: number, offset: number) =>
  ({
    partition,
    offset: BigInt(offset),
    key: null,
    value: Buffer.from(`value ${offset}`),
    headerEntries: [],
    leaderEpoch: 0,
  }) as unknown as KafkaMessage;

/** A stream with `buffered` to read, then nothing. */
function fakeStream(buffered: KafkaMessage[]): KafkaStream {
  const stream = Object.assign(new EventEmitter(), {
    destroyed: false,
    readableEnded: false,
    get readableLength() {
      return buffered.length;
    },
    read: () => buffered.shift() ?? null,
  });
  return stream as unknown as KafkaStream;
}

function roundOf(handle: GroupConsumerOptions['handle'], round: Map<number, PartitionRound>) {
  const commits: { partition: number; offset: bigint }[] = [];
  const carried = new Map<number, PartitionRound>();
  const consumer = {
    commit: ({ offsets }: { offsets: { partition: number; offset: bigint }[] }) => {
      commits.push(...offsets.map(({ partition, offset }) => ({ partition, offset })));
      return Promise.resolve();
    },
  } as unknown as Consumer;
  const run = handleRound({
    consumer,
    topic: 't',
    round,
    highWatermarks: [10n, 10n],
    isCurrent: () => true,
    stillCurrent: () => true,
    concurrency: 2,
    handle,
    restartOnFailure: () => false,
    carry: (partition, rest) => carried.set(partition, rest),
  });
  return { run, commits, carried };
}

describe('a platformatic round whose batch is committed in part', () => {
  it('commits past the settled part and carries the rest into the next round', async () => {
    const round = new Map([
      [0, { messages: [0, 1, 2, 3].map((o) => message(0, o)) }],
      [1, { messages: [0, 1].map((o) => message(1, o)) }],
    ]);
    const { run, commits, carried } = roundOf(
      (batch, control) => control.commit(batch.partition === 0 ? '1' : undefined),
      round,
    );

    expect(await run, 'every batch committed (in part or whole)').to.equal(true);
    expect(commits).to.deep.equal([
      { partition: 0, offset: 2n },
      { partition: 1, offset: 2n },
    ]);
    expect([...carried.keys()]).to.deep.equal([0]);
    expect(carried.get(0)?.messages.map((m) => m.offset)).to.deep.equal([2n, 3n]);
  });

  it('carries nothing when the whole batch is committed, named by its last offset or not', async () => {
    const round = new Map([[0, { messages: [0, 1].map((o) => message(0, o)) }]]);
    const { run, carried } = roundOf((_, control) => control.commit('1'), round);
    expect(await run).to.equal(true);
    expect(carried.size).to.equal(0);
  });

  it('hands the carried messages over first in the next round, then what the stream read', async () => {
    const stream = fakeStream([message(0, 4), message(1, 7)]);
    const rounds = streamRounds(stream, new StreamReadState());
    rounds.carry(0, { messages: [message(0, 2), message(0, 3)] });

    const next = await rounds.next();

    expect(next.get(0)?.messages.map((m) => m.offset)).to.deep.equal([2n, 3n, 4n]);
    expect(next.get(1)?.messages.map((m) => m.offset)).to.deep.equal([7n]);
  });

  it('does not wait for the stream while messages are carried', async () => {
    const rounds = streamRounds(fakeStream([]), new StreamReadState());
    rounds.carry(0, { messages: [message(0, 5)] });
    const next = await rounds.next();
    expect(next.get(0)?.messages.map((m) => m.offset)).to.deep.equal([5n]);
  });
});
