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
import { brokerLeft, couldNotConnect } from './failure-kind.ts';
import { ReadingConsumer as Consumer } from './reading-consumer.ts';
import { streamReadOptions } from './stream-read-options.ts';
import { streamRounds, type KafkaStream, type PartitionRound } from './stream-rounds.ts';

const restartDelayMs = 1_000;
/** How long a member may stay out of its group (a rejoin) before it is restarted as a new one. */
const rejoinLimitMs = 120_000;
const rejoinPollMs = 100;
/** Stream failures in a row a member outlasts, a pause apart (about 10 s: a broker fenced, a
 * leader elected; the failover test needed 2). Past that the member is restarted as before. */
const streamFailuresOutlasted = 10;
const streamFailurePauseMs = 1_000;

/**
 * The client tries a join `retries` times (5, client-options.ts), 1 s apart by default: about 5 s.
 * A broker that dies while it coordinates the group stays its coordinator until the cluster fences
 * it (broker.session.timeout.ms, 9 s by default) and the group's partition has a new leader, so
 * every join in between fails to connect, the member failed with it, and the service restarted it
 * as a new member (the cluster failover test saw one). A join that could not connect waits 1, 2,
 * 3, 4, 5 s between tries (15 s in all); any other failure, and other operations, keep the
 * client's 1 s (a join answered with an error, or timed out on a busy machine, is tried as before).
 */
const joinRetryDelayMs = (operation: string, attempt: number, error: unknown): number =>
  operation === 'joinGroup' && couldNotConnect(error) ? Math.min(1_000 * attempt, 5_000) : 1_000;

export async function consumeGroup(
  client: ClientOptions,
  options: GroupConsumerOptions,
): Promise<GroupConsumer> {
  const group = new PlatformaticGroupConsumer(client, options);
  await group.start();
  return group;
}

/**
 * A member of the group at a time (a new one after a crash the service restarts on), each reading
 * one stream per generation, each stream in rounds handed to handleRound.
 */
class PlatformaticGroupConsumer implements GroupConsumer {
  readonly #client: ClientOptions;
  readonly #options: GroupConsumerOptions;
  #consumer: Consumer;
  #stopping = false;
  /** Ends the current stream's wait for a round: a new generation, a failure, a stop. */
  #wakeReader: () => void = () => undefined;
  // The client reports a member it cannot keep (a rejoin that failed) as an 'error' event, which
  // would end the process if nothing listened: it ends the member instead, as a crash.
  #memberFailure: { error: unknown } | undefined;
  /** Stream failures outlasted since a round was last handled (see #outlastStreamFailure). */
  #streamFailuresInARow = 0;
  #running: Promise<void> = Promise.resolve();

  constructor(client: ClientOptions, options: GroupConsumerOptions) {
    this.#client = client;
    this.#options = options;
    this.#consumer = this.#newConsumer();
  }

  /**
   * Like kafkajs's connect and run: a broker that cannot be reached, or a join the group refuses,
   * fails the start (and leaves no connection open).
   */
  async start(): Promise<void> {
    const first = await this.#openStream().catch(async (error: unknown) => {
      await this.#consumer.close(true).catch(() => undefined);
      throw error;
    });
    this.#running = this.#runMembers(first);
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wakeReader();
    await this.#running;
    await this.#consumer.close();
    this.#options.onLeft();
  }

  /** Members one after another: a crash the service restarts on starts a new one. */
  async #runMembers(first: KafkaStream): Promise<void> {
    let stream: KafkaStream | undefined = first;
    while (stream !== undefined) {
      try {
        await this.#runMember(stream);
        return;
      } catch (error) {
        const restarting = !this.#stopping && this.#options.restartOnFailure(error);
        this.#options.onCrash(error, restarting);
        await this.#consumer.close(true).catch(() => undefined);
        if (!restarting) return;
      }
      stream = await this.#restartMember();
    }
  }

  /**
   * A new member, as kafkajs restarts: after a pause, until it joins (its first stream) or the
   * process stops or a failure the service does not restart on (undefined).
   */
  async #restartMember(): Promise<KafkaStream | undefined> {
    for (;;) {
      await sleep(restartDelayMs);
      if (this.#stopping) return undefined;
      this.#consumer = this.#newConsumer();
      try {
        return await this.#openStream();
      } catch (error) {
        await this.#consumer.close(true).catch(() => undefined);
        if (!this.#options.restartOnFailure(error)) {
          this.#options.onCrash(error, false);
          return undefined;
        }
      }
    }
  }

  #newConsumer(): Consumer {
    const options = this.#options;
    this.#memberFailure = undefined;
    const consumer = new Consumer({
      ...this.#client,
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.max(100, Math.floor(options.sessionTimeoutMs / 3)),
      // kafkajs's name and version for round-robin assignment: members of one group on either
      // client agree on a protocol, so the client can be switched one process at a time.
      protocols: [{ name: 'RoundRobinAssigner', version: 0 }],
      autocommit: false,
      retryDelay: (_client, operation, attempt, _retries, error) =>
        joinRetryDelayMs(operation, attempt, error),
    });
    // The member's own hold on its topic, besides its streams': the client drops a topic from the
    // member's subscription when the last stream reading it closes, and a stream that failed has
    // closed, so the next stream would rejoin the group and a rebalance meanwhile would join it
    // subscribed to nothing. Held for the consumer's life (a new member gets a new consumer).
    consumer.topics.track(options.topic);
    consumer.onRecordsWithoutMessages = (...range) => options.onRecordsWithoutMessages?.(...range);
    consumer.on('consumer:group:join', ({ assignments }) => {
      options.onJoined(assignments?.find((a) => a.topic === options.topic)?.partitions ?? []);
      this.#wakeReader(); // a new generation: its own stream
    });
    consumer.on('consumer:group:leave', () => options.onLeft());
    consumer.on('consumer:group:rebalance', () => options.onRejoining?.());
    consumer.on('error', (error) => {
      this.#memberFailure ??= { error };
      this.#wakeReader();
    });
    return consumer;
  }

  #openStream(): Promise<KafkaStream> {
    return this.#consumer.consume({
      topics: [this.#options.topic],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: this.#options.fromBeginning
        ? MessagesStreamFallbackModes.EARLIEST
        : MessagesStreamFallbackModes.LATEST,
      autocommit: false,
      ...streamReadOptions,
    });
  }

  /** One membership: a stream per generation, until stopping or a failure. */
  async #runMember(first: KafkaStream): Promise<void> {
    let stream = first;
    try {
      for (;;) {
        await this.#readGeneration(stream).catch((error: unknown) =>
          this.#outlastStreamFailure(error),
        );
        await this.#untilInGroup();
        if (this.#stopping) return;
        let next: KafkaStream | undefined;
        while (next === undefined) {
          next = await this.#openStream().catch((error: unknown) =>
            this.#outlastStreamFailure(error),
          );
        }
        // A stream that failed may fail its close too; the next one is already open, so nothing
        // is lost by going on (an error from the member itself ends it through #memberFailure).
        await stream.close().catch(() => undefined);
        stream = next;
      }
    } finally {
      await stream.close().catch(() => undefined);
    }
  }

  /**
   * A broker leaving fails what a stream asks of it while the member is still in its group: a
   * partition leader killed fails the client's offset listing or fetch, until the metadata names
   * the new leader. The member then reads on from a new stream at the committed offsets, as after
   * a batch left uncommitted, after a pause, instead of failing and being restarted as a new member
   * (the cluster failover test saw that on every kill). Only such failures: any other ends the
   * member as before. Bounded: the failure ends the member once it has lasted
   * streamFailuresOutlasted tries without a round handled, or when the service would not restart
   * on it.
   */
  async #outlastStreamFailure(error: unknown): Promise<undefined> {
    this.#streamFailuresInARow += 1;
    if (
      this.#stopping ||
      this.#memberFailure !== undefined ||
      this.#streamFailuresInARow > streamFailuresOutlasted ||
      !brokerLeft(error) ||
      !this.#options.restartOnFailure(error)
    )
      throw error;
    this.#options.onReadingResumed?.(error);
    // The next stream asks the cluster afresh, as a new member's client would.
    this.#consumer.clearMetadata();
    await sleep(streamFailurePauseMs);
    return undefined;
  }

  /** Reads the stream in rounds while its generation lasts and every batch is committed. */
  async #readGeneration(stream: KafkaStream): Promise<void> {
    const consumer = this.#consumer;
    const generation = consumer.generationId;
    const rounds = streamRounds(stream, consumer.readState(stream));
    const current = () =>
      this.#memberFailure === undefined &&
      consumer.generationId === generation &&
      consumer.isActive() &&
      !rounds.ended();
    this.#wakeReader = () => rounds.wake();
    let clean = true;
    while (!this.#stopping && clean && current()) {
      const round = await rounds.next();
      if (round.size > 0) {
        clean = await this.#handleRound(round, current);
        this.#streamFailuresInARow = 0;
      }
    }
  }

  /** One round's batches, each handed over and committed only while its generation lasts. */
  async #handleRound(
    round: ReadonlyMap<number, PartitionRound>,
    current: () => boolean,
  ): Promise<boolean> {
    const consumer = this.#consumer;
    const { topic } = this.#options;
    // A failure here (a leader just killed) ends the stream: #outlastStreamFailure.
    const highWatermarks = await consumer.listOffsets({
      topics: [topic],
      timestamp: ListOffsetTimestamps.LATEST,
    });
    const assigned = new Set(
      consumer.assignments?.find((a) => a.topic === topic)?.partitions ?? [],
    );
    return handleRound({
      commit: (offset) => consumer.commit({ offsets: [offset] }),
      topic,
      round,
      highWatermarks: highWatermarks.get(topic) ?? [],
      isCurrent: (partition) => !this.#stopping && current() && assigned.has(partition),
      stillCurrent: (partition) => current() && assigned.has(partition),
      concurrency: this.#options.partitionsConsumedConcurrently,
      handle: this.#options.handle,
      restartOnFailure: this.#options.restartOnFailure,
    });
  }

  /** Mid-rejoin, the next stream waits for the join: it starts at the offsets the join settles. */
  async #untilInGroup(): Promise<void> {
    const since = Date.now();
    while (!this.#stopping && this.#memberFailure === undefined && !this.#consumer.isActive()) {
      if (Date.now() - since > rejoinLimitMs)
        throw Object.assign(new Error('the consumer did not rejoin its group'), { canRetry: true });
      await sleep(rejoinPollMs);
    }
    if (this.#memberFailure !== undefined) throw this.#memberFailure.error;
  }
}
