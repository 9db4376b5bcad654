// Reads from the broker, every few seconds and right after each join, the high watermark of every
// partition and the group's committed offsets, for the status tracker. Batches report offsets
// too, but only partitions that fetch have batches: a partition whose batch waits (a dead letter
// that cannot be sent, kafkajs holding a fetch's other batches meanwhile) or one with nothing new
// since its assignment would otherwise have no lag at all, and could never be seen stuck.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Messaging } from '../../messaging/port.ts';
import { errorFields, type Logger } from '../../runtime/logger.ts';
import type { ConsumerStatusTracker } from './consumer-status.ts';

export interface OffsetsWatchOptions {
  readonly messaging: Pick<Messaging, 'connectAdmin'>;
  readonly topic: string;
  readonly groupId: string;
  readonly status: ConsumerStatusTracker;
  readonly logger: Logger;
  readonly everyMs: number;
}

export interface OffsetsWatch {
  /** Reads now (a join: the new partitions' lag at once), not at the next tick; the first call
   * starts the watch. */
  refresh(): void;
  stop(): Promise<void>;
}

/** A few readings per stuck period, and never more than one every 5 s at the default minute. */
export const offsetsWatchIntervalMs = (stuckAfterMs: number): number =>
  Math.min(5_000, Math.max(250, Math.floor(stuckAfterMs / 4)));

export function watchPartitionOffsets(options: OffsetsWatchOptions): OffsetsWatch {
  const { topic, groupId, status, logger } = options;
  let admin: Admin | undefined;
  let stopping = false;
  let wake: AbortController = new AbortController();

  async function read(): Promise<void> {
    admin ??= await options.messaging.connectAdmin();
    const [offsets, committed] = await Promise.all([
      admin.partitionOffsets(topic),
      admin.committedOffsets(groupId, topic),
    ]);
    for (const { partition, low, high } of offsets) {
      // No commit yet: the group starts at the earliest message (run-consumer's fromBeginning).
      status.offsetsSeen(partition, {
        highWatermark: high,
        position: committed.get(partition) ?? low,
      });
    }
  }

  async function run(): Promise<void> {
    while (!stopping) {
      try {
        await read();
      } catch (error) {
        // The broker away: the lag stays as last read, and the next tick connects again.
        logger.debug('reading partition offsets failed, retrying', errorFields(error));
        await admin?.disconnect().catch(() => undefined);
        admin = undefined;
      }
      // Unreferenced: a watch never keeps a stopping process alive.
      await sleep(options.everyMs, undefined, { signal: wake.signal, ref: false }).catch(
        () => undefined,
      );
      wake = new AbortController();
    }
  }
  // Started by the first join: a consumer that never joins (its start failed) opens nothing.
  let running: Promise<void> | undefined;

  return {
    refresh() {
      if (stopping) return;
      if (running === undefined) running = run();
      else wake.abort();
    },
    async stop() {
      stopping = true;
      wake.abort();
      await running;
      await admin?.disconnect().catch(() => undefined);
    },
  };
}
