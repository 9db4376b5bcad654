// The range handler replay and redrive share (range-command.ts), on the port in memory: each batch
// through the command's handler, retried in place while the failure passes, committed only once
// handled; an unreadable batch ends the read after the messages before it.
import { expect } from 'chai';
import type { InboundMessage } from '../../../src/messaging/message.ts';
import type { BatchControl, RangeReader } from '../../../src/messaging/port.ts';
import { UnreadableBatchError } from '../../../src/messaging/unreadable-batch-error.ts';
import { ServiceError } from '../../../src/domain/errors/error-codes.ts';
import { settleRangeBatches } from '../../../src/apps/range-command.ts';
import { createLogger } from '../../../src/runtime/logger.ts';
import { groupChurnError } from '../../support/in-memory-group.ts';
import { connectionLost, InMemoryMessaging } from '../../support/in-memory-messaging.ts';
import { failureClassifier } from '../../../src/domain/errors/classify-error.ts';

/** The in-memory edge's errors, as runRangeCommand classifies a real client's. */
const classify = failureClassifier(new InMemoryMessaging().failureKind);
const topic = 'events';
const groupId = 'replay-1';
const quiet = createLogger('error', 'json');

/** A command's handler that records what it was given and can fail on demand. */
function recordingHandler() {
  const handled: string[][] = [];
  const failures: unknown[] = [];
  let onHandle: (keepAlive: () => Promise<void>) => Promise<void> = () => Promise.resolve();
  return {
    handled,
    failNext: (error: unknown) => failures.push(error),
    set onHandle(run: typeof onHandle) {
      onHandle = run;
    },
    handle: async (
      partition: number,
      messages: readonly InboundMessage[],
      keepAlive: () => Promise<void>,
    ) => {
      handled.push(messages.map((message) => `${partition}:${message.offset}`));
      await onHandle(keepAlive);
      if (failures.length > 0) throw failures.shift();
    },
  };
}

async function readRanges(
  messaging: InMemoryMessaging,
  handle: ReturnType<typeof recordingHandler>['handle'],
  ranges = [{ partition: 0, start: 0n, end: 3n }],
): Promise<RangeReader> {
  return messaging.readRanges({
    topic,
    groupId,
    ranges,
    handle: settleRangeBatches(handle, classify, quiet),
  });
}

const settled = (reader: RangeReader) =>
  reader.finished.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('the range handler of replay and redrive (range-command.ts)', () => {
  let messaging: InMemoryMessaging;
  beforeEach(() => {
    messaging = new InMemoryMessaging().addTopic(topic, 2);
    messaging.append(topic, 0, ['a', 'b', 'c', 'd']);
    messaging.append(topic, 1, ['e', 'f']);
  });

  it('hands over each range once, in order, committing after each batch', async () => {
    const command = recordingHandler();
    const reader = await readRanges(messaging, command.handle, [
      { partition: 0, start: 1n, end: 4n },
      { partition: 1, start: 0n, end: 2n },
    ]);
    expect(await settled(reader)).to.equal(undefined);
    expect(command.handled).to.deep.equal([['0:1', '0:2'], ['0:3'], ['1:0', '1:1']]);
    expect(messaging.commits).to.deep.equal(['0:3', '0:4', '1:2']);
  });

  it('retries a passing failure in place, and commits once the batch is handled', async () => {
    const command = recordingHandler();
    command.failNext(connectionLost());
    const reader = await readRanges(messaging, command.handle);
    expect(await settled(reader)).to.equal(undefined);
    expect(command.handled).to.deep.equal([['0:0', '0:1'], ['0:0', '0:1'], ['0:2']]);
    expect(messaging.commits).to.deep.equal(['0:2', '0:3']);
  });

  it('ends the read on any other failure, with the failed batch uncommitted', async () => {
    const command = recordingHandler();
    const notMigrated = new ServiceError('DATABASE_NOT_MIGRATED', 'product_events is gone');
    command.onHandle = () => {
      if (command.handled.length === 2) command.failNext(notMigrated);
      return Promise.resolve();
    };
    const reader = await readRanges(messaging, command.handle);
    expect(await settled(reader)).to.equal(notMigrated);
    expect(command.handled).to.have.length(2);
    expect(messaging.commits).to.deep.equal(['0:2']);
  });

  it('leaves a batch uncommitted when stopped while retrying it', async () => {
    let active = true;
    const commits: string[] = [];
    const control: BatchControl = {
      heartbeat: () => Promise.resolve(),
      isActive: () => active,
      commit: () => Promise.resolve(void commits.push('committed')),
    };
    let attempts = 0;
    const stoppedMidRetry = settleRangeBatches(
      () => {
        attempts += 1;
        active = false; // Ctrl+C while the database is away
        return Promise.reject(connectionLost());
      },
      classify,
      quiet,
    );
    await stoppedMidRetry(0, [], control);
    expect(attempts).to.equal(1);
    expect(commits).to.deep.equal([]);
  });

  it("heartbeats the command's group through the keepAlive the command is given", async () => {
    const command = recordingHandler();
    const churn = groupChurnError();
    messaging.failNext('heartbeat', churn);
    command.onHandle = (keepAlive) => keepAlive();
    const reader = await readRanges(messaging, command.handle);
    expect(await settled(reader)).to.equal(churn);
    expect(messaging.commits).to.deep.equal([]);
  });

  it('handles and commits the messages before an unreadable batch, then ends the read with it', async () => {
    messaging.appendUnreadable(topic, 1, 'zstd');
    messaging.append(topic, 1, ['g']);
    const command = recordingHandler();
    const reader = await readRanges(messaging, command.handle, [
      { partition: 1, start: 0n, end: 3n },
    ]);
    const error = await settled(reader);
    expect(error).to.be.instanceOf(UnreadableBatchError).and.include({ partition: 1, offset: '2' });
    expect(command.handled).to.deep.equal([['1:0', '1:1']]);
    expect(messaging.commits).to.deep.equal(['1:2']);
  });

  it('commits nothing of a batch the command did not handle', async () => {
    const commits: string[] = [];
    const control: BatchControl = {
      heartbeat: () => Promise.resolve(),
      isActive: () => true,
      commit: () => Promise.resolve(void commits.push('committed')),
    };
    const failing = settleRangeBatches(
      () => Promise.reject(new TypeError('a bug')),
      classify,
      quiet,
    );
    const error = await failing(0, [], control).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).to.be.instanceOf(TypeError);
    expect(commits).to.deep.equal([]);
  });
});
