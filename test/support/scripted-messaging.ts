// A Messaging (the project's own port, src/messaging/port.ts) that hands the application the
// batches a test scripts, in order, and records what the application did with them: commits,
// heartbeats, dead letters. It tests how the applications react to what an adapter reports (an
// unreadable record batch) without making a broker produce it; that the adapters report it is
// proven against the real broker in test/integration/messaging/.
import type { InboundMessage, OutboundMessage } from '../../src/messaging/message.ts';
import type {
  Admin,
  BatchControl,
  GroupConsumerOptions,
  Messaging,
  PartitionBatch,
  RangeReadOptions,
  UnreadableBatch,
} from '../../src/messaging/port.ts';
import { UnreadableBatchError } from '../../src/messaging/unreadable-batch-error.ts';

/** One partition's messages for a range reader, maybe ending at a batch it cannot read. */
export interface ScriptedRange {
  readonly partition: number;
  readonly messages: readonly InboundMessage[];
  readonly unreadable?: UnreadableBatch;
}

export interface ScriptedMessaging extends Messaging {
  /** `partition:offset` of the last message of every committed batch, in order. */
  readonly commits: string[];
  readonly heartbeats: { count: number };
  readonly deadLetters: OutboundMessage[];
  /** Resolves once the group consumer has handled every scripted batch. */
  readonly allHandled: Promise<void>;
}

/** Event messages from values, offsets counting from `first`. */
export function inboundMessages(values: readonly string[], first = 0): InboundMessage[] {
  return values.map((value, i) => ({
    key: null,
    value: Buffer.from(value),
    offset: String(first + i),
  }));
}

export function scriptedMessaging(script: {
  readonly topic: string;
  /** For consume(): handed over one after another, each once its predecessor's handler returned. */
  readonly batches?: readonly Omit<PartitionBatch, 'topic' | 'lag'>[];
  /** For readRanges(). */
  readonly ranges?: readonly ScriptedRange[];
  /**
   * Commits (`partition:offset`) the broker applies but whose answer is lost (a coordinator failing
   * over): recorded in `commits`, yet commit() rejects with a connection reset.
   */
  readonly commitAnswerLost?: readonly string[];
}): ScriptedMessaging {
  const commits: string[] = [];
  const heartbeats = { count: 0 };
  const deadLetters: OutboundMessage[] = [];
  let stopped = false;
  let handledAll: () => void = () => undefined;
  let failed: (error: unknown) => void = () => undefined;
  const allHandled = new Promise<void>((resolve, reject) => {
    handledAll = resolve;
    failed = reject;
  });
  const control = (partition: number, last: InboundMessage | undefined): BatchControl => ({
    heartbeat: () => {
      heartbeats.count += 1;
      return Promise.resolve();
    },
    isActive: () => !stopped,
    commit: () => {
      if (last === undefined) return Promise.resolve();
      const commit = `${partition}:${last.offset}`;
      commits.push(commit);
      if (script.commitAnswerLost?.includes(commit))
        return Promise.reject(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
      return Promise.resolve();
    },
  });

  async function runBatches(options: GroupConsumerOptions) {
    const partitions = [...new Set((script.batches ?? []).map((batch) => batch.partition))];
    options.onJoined(partitions.sort((a, b) => a - b));
    for (const batch of script.batches ?? []) {
      const handed: PartitionBatch = { ...batch, topic: script.topic, lag: () => 0 };
      // As the clients do: a failure they recover from ends the batch, not the consumer.
      await options
        .handle(handed, control(batch.partition, batch.messages.at(-1)))
        .catch((error: unknown) => {
          if (!options.restartOnFailure(error)) throw error;
        });
    }
  }

  const admin: Admin = {
    createTopics: (topics) => Promise.resolve(topics.map(({ topic }) => topic)),
    deleteTopics: () => Promise.resolve(),
    partitionOffsets: () => Promise.resolve([]),
    offsetsAtTime: () => Promise.resolve([]),
    committedOffsets: () => Promise.resolve(new Map()),
    // Topics as `stack:up` makes them: room for the largest dead letter.
    topicMaxMessageBytes: () => Promise.resolve(2 * 1024 * 1024),
    deleteGroup: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
  };

  return {
    commits,
    heartbeats,
    deadLetters,
    allHandled,
    createProducer: () => ({
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      send: (_topic, messages) => {
        deadLetters.push(...messages);
        return Promise.resolve([]);
      },
    }),
    consume(options) {
      runBatches(options).then(handledAll, failed);
      return Promise.resolve({
        stop: () => {
          stopped = true;
          return Promise.resolve();
        },
      });
    },
    readRanges(options: RangeReadOptions) {
      const finished = (async () => {
        for (const range of script.ranges ?? []) {
          if (stopped) return;
          const last = range.messages.at(-1);
          if (last !== undefined) {
            await options.handle(range.partition, range.messages, control(range.partition, last));
          }
          if (range.unreadable !== undefined) {
            throw new UnreadableBatchError(options.topic, range.partition, range.unreadable);
          }
        }
      })();
      finished.catch(() => undefined); // the command awaits it; no unhandled rejection before
      return Promise.resolve({
        finished,
        stop: () => {
          stopped = true;
          return Promise.resolve();
        },
      });
    },
    connectAdmin: () => Promise.resolve(admin),
    // Its batches never fail: no error of its own to read.
    failureKind: () => undefined,
  };
}
