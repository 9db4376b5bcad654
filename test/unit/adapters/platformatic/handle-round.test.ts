// A batch the handler commits only in part (its write budget spent): the part is committed and the
// round reports the stream must start over, at the committed offsets, where the rest is read again.
import type { Consumer } from '@platformatic/kafka';
import { expect } from 'chai';
import { handleRound } from '../../../../src/adapters/platformatic/handle-round.ts';
import type {
  KafkaMessage,
  PartitionRound,
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

function roundOf(handle: GroupConsumerOptions['handle'], round: Map<number, PartitionRound>) {
  const commits: { partition: number; offset: bigint }[] = [];
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
  });
  return { run, commits };
}

describe('a platformatic round whose batch is committed in part', () => {
  it('commits past the settled part, and the stream starts over at the commits', async () => {
    const round = new Map([
      [0, { messages: [0, 1, 2, 3].map((o) => message(0, o)) }],
      [1, { messages: [0, 1].map((o) => message(1, o)) }],
    ]);
    const { run, commits } = roundOf(
      (batch, control) => control.commit(batch.partition === 0 ? '1' : undefined),
      round,
    );

    expect(await run, 'every batch committed whole').to.equal(false);
    expect(commits).to.deep.equal([
      { partition: 0, offset: 2n },
      { partition: 1, offset: 2n },
    ]);
  });

  it('goes on with the same stream when each batch is committed whole, named by its last offset or not', async () => {
    const round = new Map([
      [0, { messages: [0, 1].map((o) => message(0, o)) }],
      [1, { messages: [5, 6].map((o) => message(1, o)) }],
    ]);
    const { run, commits } = roundOf(
      (batch, control) => control.commit(batch.partition === 0 ? '1' : undefined),
      round,
    );
    expect(await run).to.equal(true);
    expect(commits.map(({ offset }) => offset)).to.deep.equal([2n, 7n]);
  });

  it('refuses an offset that is not one of the batch’s messages', async () => {
    const round = new Map([[0, { messages: [0, 1].map((o) => message(0, o)) }]]);
    const { run, commits } = roundOf((_, control) => control.commit('7'), round);
    const failure = await run.catch((error: unknown) => error);
    expect(String(failure)).to.include('offset 7 is not one of the batch');
    expect(commits).to.deep.equal([]);
  });
});
