// The port's group consumer on kafkajs: one handler call per partition batch, offsets resolved
// and committed only when the handler commits, so they never move past a message it did not settle.
import type { Kafka } from 'kafkajs';
import type { GroupConsumer, GroupConsumerOptions } from '../../messaging/port.ts';

export async function consumeGroup(
  kafka: Kafka,
  options: GroupConsumerOptions,
): Promise<GroupConsumer> {
  const { topic } = options;
  const consumer = kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: options.sessionTimeoutMs,
    retry: { restartOnFailure: (error) => Promise.resolve(options.restartOnFailure(error)) },
  });
  consumer.on(consumer.events.CRASH, ({ payload }) =>
    options.onCrash(payload.error, payload.restart),
  );
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
    options.onJoined(payload.memberAssignment[topic] ?? []),
  );
  consumer.on(consumer.events.STOP, () => options.onLeft());

  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: options.fromBeginning });
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    eachBatch: async (payload) => {
      const { batch } = payload;
      const last = batch.messages.at(-1);
      if (last === undefined) return;
      await options.handle(
        {
          topic: batch.topic,
          partition: batch.partition,
          messages: batch.messages,
          lag: () => Number(batch.offsetLag()),
        },
        {
          heartbeat: () => payload.heartbeat(),
          isActive: () => payload.isRunning() && !payload.isStale(),
          commit: async () => {
            payload.resolveOffset(last.offset);
            await payload.commitOffsetsIfNecessary();
          },
        },
      );
    },
  });
  return { stop: () => consumer.disconnect() };
}
