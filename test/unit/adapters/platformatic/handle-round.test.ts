// The platformatic adapter's round logic (handle-round.ts) with fakes of what it is given: a
// commit function, the generation checks and a handler. Each batch is handed over once, committed
// only through its control and only while its generation lasts; a round is clean only when every
// batch in it was committed.
import { expect } from 'chai';
import { GroupChangedError } from '../../../../src/adapters/platformatic/group-changed-error.ts';
import {
  handleRound,
  type CommitOffset,
  type Round,
} from '../../../../src/adapters/platformatic/handle-round.ts';
import type { PartitionRound } from '../../../../src/adapters/platformatic/stream-rounds.ts';
import type { BatchControl, PartitionBatch } from '../../../../src/messaging/port.ts';
import { platformaticMessage } from './platformatic-message.ts';

const partitionRound = (partition: number, offsets: number[]): PartitionRound => ({
  messages: offsets.map((offset) => platformaticMessage(partition, offset)),
});

type Handle = (batch: PartitionBatch, control: BatchControl) => Promise<void>;
const commitsEverything: Handle = (_batch, control) => control.commit();

function roundOf(entries: [number, PartitionRound][], overrides: Partial<Round> = {}) {
  const commits: CommitOffset[] = [];
  const handed: PartitionBatch[] = [];
  const round: Round = {
    commit: (offset) => Promise.resolve(void commits.push(offset)),
    topic: 'events',
    round: new Map(entries),
    highWatermarks: [10n, 10n, 10n],
    isCurrent: () => true,
    stillCurrent: () => true,
    concurrency: 3,
    handle: commitsEverything,
    restartOnFailure: (error) => error instanceof GroupChangedError,
    ...overrides,
  };
  const handle = round.handle;
  return {
    commits,
    handed,
    round: {
      ...round,
      handle: (batch: PartitionBatch, control: BatchControl) => {
        handed.push(batch);
        return handle(batch, control);
      },
    },
  };
}

describe('a round of the platformatic adapter (handle-round.ts)', () => {
  it('hands each batch over as the port says and commits where the partition goes on', async () => {
    const { round, commits, handed } = roundOf([[1, partitionRound(1, [4, 5, 6])]]);
    expect(await handleRound(round)).to.equal(true);
    const [batch] = handed;
    expect(batch).to.include({ topic: 'events', partition: 1 });
    expect(batch?.messages.map((message) => message.offset)).to.deep.equal(['4', '5', '6']);
    expect(batch?.messages[0]).to.deep.include({
      key: null,
      headers: { trace: Buffer.from('t1') },
    });
    expect(batch?.lag()).to.equal(3); // 10 - 7
    expect(commits).to.deep.equal([{ topic: 'events', partition: 1, offset: 7n, leaderEpoch: 7 }]);
  });

  it('is not clean when a handler leaves its batch uncommitted', async () => {
    const { round, commits } = roundOf(
      [
        [0, partitionRound(0, [1])],
        [1, partitionRound(1, [1])],
      ],
      {
        handle: (batch, control) => (batch.partition === 0 ? control.commit() : Promise.resolve()),
      },
    );
    expect(await handleRound(round)).to.equal(false);
    expect(commits.map((commit) => commit.partition)).to.deep.equal([0]);
  });

  it('hands over nothing of a partition no longer current, and is not clean', async () => {
    const { round, handed } = roundOf([[2, partitionRound(2, [1])]], { isCurrent: () => false });
    expect(await handleRound(round)).to.equal(false);
    expect(handed).to.deep.equal([]);
  });

  it('refuses a commit once the generation has passed, before it reaches the broker', async () => {
    let generationLasts = true;
    let refusal: unknown;
    const { round, commits } = roundOf([[0, partitionRound(0, [1])]], {
      stillCurrent: () => generationLasts,
      handle: async (_batch, control) => {
        generationLasts = false; // a rebalance while the batch was being stored
        refusal = await control.commit().catch((error: unknown) => error);
        throw refusal;
      },
    });
    expect(await handleRound(round)).to.equal(false);
    expect(refusal).to.be.instanceOf(GroupChangedError);
    expect(commits).to.deep.equal([]);
  });

  it('heartbeats only while the generation lasts, and says the batch is inactive once stopping', async () => {
    let generationLasts = true;
    let stopping = false;
    const seen: unknown[] = [];
    const { round } = roundOf([[0, partitionRound(0, [1])]], {
      isCurrent: () => generationLasts && !stopping,
      stillCurrent: () => generationLasts,
      handle: async (_batch, control) => {
        seen.push(await control.heartbeat(), control.isActive());
        stopping = true;
        seen.push(await control.heartbeat(), control.isActive());
        generationLasts = false;
        seen.push(await control.heartbeat().catch((error: unknown) => error));
      },
    });
    await handleRound(round);
    expect(seen.slice(0, 4)).to.deep.equal([undefined, true, undefined, false]);
    expect(seen[4]).to.be.instanceOf(GroupChangedError);
  });

  it('swallows a failure the service restarts on (the stream starts over), and rethrows any other', async () => {
    const passing = roundOf([[0, partitionRound(0, [1])]], {
      handle: () => Promise.reject(new GroupChangedError()),
    });
    expect(await handleRound(passing.round)).to.equal(false);

    const bug = new TypeError('a bug');
    const failing = roundOf([[0, partitionRound(0, [1])]], { handle: () => Promise.reject(bug) });
    const error = await handleRound(failing.round).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).to.equal(bug);
  });

  it('hands over an unreadable batch with no message; its commit sends nothing and counts', async () => {
    const unreadable = { offset: '3', reason: 'a codec the client lacks' };
    const { round, commits, handed } = roundOf([[0, { messages: [], unreadable }]]);
    expect(await handleRound(round)).to.equal(true);
    expect(handed[0]).to.deep.include({ messages: [], unreadable });
    expect(handed[0]?.lag()).to.equal(7);
    expect(commits).to.deep.equal([]);
  });

  it('skips a partition with neither messages nor an unreadable batch', async () => {
    const { round, handed } = roundOf([[0, { messages: [] }]]);
    expect(await handleRound(round)).to.equal(true);
    expect(handed).to.deep.equal([]);
  });

  it('works on at most `concurrency` partitions at once, in partition order', async () => {
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const { round } = roundOf(
      [3, 1, 0, 2].map((partition) => [partition, partitionRound(partition, [1])]),
      {
        concurrency: 2,
        handle: async (batch, control) => {
          started.push(batch.partition);
          most = Math.max(most, (inFlight += 1));
          await new Promise((resolve) => setImmediate(resolve));
          inFlight -= 1;
          await control.commit();
        },
      },
    );
    expect(await handleRound(round)).to.equal(true);
    expect(most).to.equal(2);
    expect(started).to.deep.equal([0, 1, 2, 3]);
  });

  it('commits past the settled part of a batch committed in part, and the stream starts over', async () => {
    const { round, commits } = roundOf(
      [
        [0, partitionRound(0, [0, 1, 2, 3])],
        [1, partitionRound(1, [0, 1])],
      ],
      { handle: (batch, control) => control.commit(batch.partition === 0 ? '1' : undefined) },
    );
    expect(await handleRound(round), 'every batch committed whole').to.equal(false);
    expect(commits.map(({ partition, offset }) => [partition, offset])).to.deep.equal([
      [0, 2n],
      [1, 2n],
    ]);
  });

  it('goes on with the same stream when each batch is committed whole, named by its last offset or not', async () => {
    const { round, commits } = roundOf(
      [
        [0, partitionRound(0, [0, 1])],
        [1, partitionRound(1, [5, 6])],
      ],
      { handle: (batch, control) => control.commit(batch.partition === 0 ? '1' : undefined) },
    );
    expect(await handleRound(round)).to.equal(true);
    expect(commits.map(({ offset }) => offset)).to.deep.equal([2n, 7n]);
  });

  it('refuses to commit through an offset that is not one of the batch’s messages', async () => {
    const { round, commits } = roundOf([[0, partitionRound(0, [0, 1])]], {
      handle: (_batch, control) => control.commit('7'),
      restartOnFailure: () => false,
    });
    const failure = await handleRound(round).catch((error: unknown) => error);
    expect(String(failure)).to.include('offset 7 is not one of the batch');
    expect(commits).to.deep.equal([]);
  });
});
