// The port's group consumer on @platformatic/kafka. The client's message stream keeps fetching
// across a rebalance and starts its next position from fetches begun before it (see
// docs/workarounds.md), so this adapter reads each group generation from a stream of its own, made
// after the join, which starts at the group's committed offsets; messages of an older stream are
// never handed over and a batch read in an older generation is never committed. A batch left
// uncommitted (a failure, a stop) also ends its stream: the next one starts where commits stand,
// so nothing after an unsettled message is ever handed over before it.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ListOffsetTimestamps,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
} from '@platformatic/kafka';
import type { GroupConsumer, GroupConsumerOptions } from '../../messaging/port.ts';
import type { ClientOptions } from './client-options.ts';
import { handleRound } from './handle-round.ts';
import { ReadingConsumer as Consumer } from './reading-consumer.ts';
import { streamReadOptions } from './stream-read-options.ts';
import { streamRounds, type KafkaStream } from './stream-rounds.ts';

const restartDelayMs = 1_000;
/** How long a member may stay out of its group (a rejoin) before it is restarted as a new one. */
const rejoinLimitMs = 120_000;
const rejoinPollMs = 100;

export async function consumeGroup(
  client: ClientOptions,
  options: GroupConsumerOptions,
): Promise<GroupConsumer> {
  const { topic } = options;
  let stopping = false;
  let wakeReader: () => void = () => undefined;
  // The client reports a member it cannot keep (a rejoin that failed) as an 'error' event, which
  // would end the process if nothing listened: it ends the member instead, as a crash.
  let memberFailure: { error: unknown } | undefined;

  const newConsumer = () => {
    memberFailure = undefined;
    const consumer = new Consumer({
      ...client,
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.max(100, Math.floor(options.sessionTimeoutMs / 3)),
      // kafkajs's name and version for round-robin assignment: members of one group on either
      // client agree on a protocol, so the client can be switched one process at a time.
      protocols: [{ name: 'RoundRobinAssigner', version: 0 }],
      autocommit: false,
    });
    consumer.on('consumer:group:join', ({ assignments }) => {
      options.onJoined(assignments?.find((a) => a.topic === topic)?.partitions ?? []);
      wakeReader(); // a new generation: its own stream
    });
    consumer.on('consumer:group:leave', () => options.onLeft());
    consumer.on('error', (error) => {
      memberFailure ??= { error };
      wakeReader();
    });
    return consumer;
  };
  const openStream = (consumer: Consumer) =>
    consumer.consume({
      topics: [topic],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: options.fromBeginning
        ? MessagesStreamFallbackModes.EARLIEST
        : MessagesStreamFallbackModes.LATEST,
      autocommit: false,
      ...streamReadOptions,
    }) as Promise<KafkaStream>;

  /** One membership: streams follow generations until stopping or a failure. */
  async function runMember(consumer: Consumer, first: KafkaStream): Promise<void> {
    let stream = first;
    try {
      for (;;) {
        const generation = consumer.generationId;
        const rounds = streamRounds(stream, consumer.readState(stream));
        const current = () =>
          memberFailure === undefined &&
          consumer.generationId === generation &&
          consumer.isActive() &&
          !rounds.ended();
        wakeReader = () => rounds.wake();
        let clean = true;
        while (!stopping && clean && current()) {
          const round = await rounds.next();
          if (round.size === 0) continue;
          const highWatermarks = await consumer.listOffsets({
            topics: [topic],
            timestamp: ListOffsetTimestamps.LATEST,
          });
          const assigned = new Set(
            consumer.assignments?.find((a) => a.topic === topic)?.partitions ?? [],
          );
          clean = await handleRound({
            consumer,
            topic,
            round,
            highWatermarks: highWatermarks.get(topic) ?? [],
            isCurrent: (partition) => !stopping && current() && assigned.has(partition),
            stillCurrent: (partition) => current() && assigned.has(partition),
            concurrency: options.partitionsConsumedConcurrently,
            handle: options.handle,
            restartOnFailure: options.restartOnFailure,
          });
        }
        await untilInGroup(consumer);
        if (stopping) return;
        // The next stream before closing this one: the client leaves the group when its last
        // stream closes.
        const next = await openStream(consumer);
        await stream.close();
        stream = next;
      }
    } finally {
      await stream.close().catch(() => undefined);
    }
  }

  /** Mid-rejoin, the next stream waits for the join: it starts at the offsets the join settles. */
  async function untilInGroup(consumer: Consumer): Promise<void> {
    const since = Date.now();
    while (!stopping && memberFailure === undefined && !consumer.isActive()) {
      if (Date.now() - since > rejoinLimitMs)
        throw Object.assign(new Error('the consumer did not rejoin its group'), { canRetry: true });
      await sleep(rejoinPollMs);
    }
    if (memberFailure !== undefined) throw memberFailure.error;
  }

  let consumer = newConsumer();
  // Like kafkajs's connect and run: a broker that cannot be reached, or a join the group refuses,
  // fails the start (and leaves no connection open).
  let stream = await openStream(consumer).catch(async (error: unknown) => {
    await consumer.close(true).catch(() => undefined);
    throw error;
  });
  const running = (async () => {
    for (;;) {
      try {
        await runMember(consumer, stream);
        return;
      } catch (error) {
        const restarting = !stopping && options.restartOnFailure(error);
        options.onCrash(error, restarting);
        await consumer.close(true).catch(() => undefined);
        if (!restarting) return;
      }
      // A new member, as kafkajs restarts: after a pause, until it joins or the process stops.
      for (;;) {
        await sleep(restartDelayMs);
        if (stopping) return;
        consumer = newConsumer();
        try {
          stream = await openStream(consumer);
          break;
        } catch (error) {
          await consumer.close(true).catch(() => undefined);
          if (!options.restartOnFailure(error)) return options.onCrash(error, false);
        }
      }
    }
  })();

  return {
    async stop() {
      stopping = true;
      wakeReader();
      await running;
      await consumer.close();
      options.onLeft();
    },
  };
}
