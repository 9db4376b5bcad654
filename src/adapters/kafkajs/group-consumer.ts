// The port's group consumer on kafkajs: one handler call per partition batch, offsets resolved
// and committed only when the handler commits, so they never move past a message it did not settle.
// kafkajs fetches again only once every batch of a fetch is handled: a partition's slow batch holds
// back the others, which is why the handler bounds its work per batch and may commit only a part.
// A record batch kafkajs cannot read ends the partition's messages (bounded-fetch-decoding.ts): the
// handler gets it as `unreadable`, then the partition is paused, the others go on.
import type { Kafka } from 'kafkajs';
import type { GroupConsumer, GroupConsumerOptions } from '../../messaging/port.ts';
import { installCoordinatorFailover } from './coordinator-failover.ts';
import { splitUnreadable } from './unreadable-marker.ts';

/**
 * The runner's retries of a failed fetch round, before the consumer crashes and restarts as a new
 * member: about a minute (kafkajs's default, 5 retries from 300 ms, is about 9 s), longer than a
 * cluster takes to fence a dead broker (broker.session.timeout.ms, 9 s) and elect new leaders.
 * Capped at 5 s apart, so a member back in business heartbeats within its session.
 */
export const fetchRetry = { retries: 15, initialRetryTime: 300, maxRetryTime: 5_000 } as const;

export async function consumeGroup(
  kafka: Kafka,
  options: GroupConsumerOptions,
): Promise<GroupConsumer> {
  const { topic } = options;
  installCoordinatorFailover();
  const consumer = kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: options.sessionTimeoutMs,
    retry: {
      ...fetchRetry,
      restartOnFailure: (error) => Promise.resolve(options.restartOnFailure(error)),
    },
  });
  consumer.on(consumer.events.CRASH, ({ payload }) =>
    options.onCrash(payload.error, payload.restart),
  );
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
    options.onJoined(payload.memberAssignment[topic] ?? []),
  );
  consumer.on(consumer.events.STOP, () => options.onLeft());
  consumer.on(consumer.events.REBALANCING, () => options.onRejoining?.());

  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: options.fromBeginning });
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    eachBatch: async (payload) => {
      const { batch } = payload;
      const { messages, unreadable } = splitUnreadable(batch.messages);
      const last = messages.at(-1);
      if (last === undefined && unreadable === undefined) return;
      let committedAll = false;
      await options.handle(
        {
          topic: batch.topic,
          partition: batch.partition,
          messages,
          ...(unreadable === undefined ? {} : { unreadable }),
          // Past an unreadable batch, its own messages are lag too.
          lag: () =>
            unreadable === undefined
              ? Number(batch.offsetLag())
              : Number(BigInt(batch.highWatermark) - BigInt(unreadable.offset)),
        },
        {
          heartbeat: () => payload.heartbeat(),
          isActive: () => payload.isRunning() && !payload.isStale(),
          commit: async (through) => {
            committedAll = through === undefined || through === last?.offset;
            // Only real messages are resolved: the marker's offset is the unreadable batch's last.
            if (last === undefined) return;
            // kafkajs fetches a partition again from its last resolved offset: what is past
            // `through` comes back in the next fetch.
            payload.resolveOffset(through ?? last.offset);
            await payload.commitOffsetsIfNecessary();
          },
        },
      );
      // Nothing more of it is fetched until the member restarts; the handler has logged why.
      if (unreadable !== undefined && committedAll) payload.pause();
    },
  });
  return { stop: () => consumer.disconnect() };
}
