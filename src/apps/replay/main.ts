// `npm run replay -- --from <ISO time | partition:offset> [--to ...]`: re-reads a range of the topic
// into the database through the normal validation and idempotent upsert, under a consumer group of
// its own, so the live group's offsets never move. The use: after the v2 migration, fill in the new
// columns of events an older consumer stored without them. Safe to interrupt and run again.
import { createMessaging } from '../../adapters/create-messaging.ts';
import { addToTotals, emptyTotals } from '../batch-totals.ts';
import { processBatch, type BatchDependencies } from '../../pipeline/process-batch.ts';
import { parseArgsOrExit } from '../../runtime/parse-args-or-exit.ts';
import { storageSchemaProbe } from '../../storage/storage-schema.ts';
import { messagesIn, runRangeCommand } from '../range-command.ts';
import { parseReplayOptions, replayUsage } from './replay-options.ts';
import { resolveRanges } from './resolve-ranges.ts';

const options = parseArgsOrExit(parseReplayOptions, replayUsage);

await runRangeCommand({
  component: 'replay',
  createMessaging,
  async plan({ config, logger, db, admin }) {
    const groupId = `${config.consumerGroupId}.replay.${Date.now()}`;
    const totals = emptyTotals();
    // Events that fail are counted, not dead-lettered again: the live consumer already did that.
    const deps: BatchDependencies = {
      db,
      storageSchema: storageSchemaProbe(db),
      sendDeadLetters: () => Promise.resolve(),
      eventLimits: config.eventLimits,
      sliceMaxBytes: config.consumerSliceMaxBytes,
    };
    const ranges = await resolveRanges(admin, config.topic, options);
    const total = messagesIn(ranges);
    logger.info('replaying', {
      topic: config.topic,
      groupId,
      events: total,
      ranges: ranges.map((r) => `${r.partition}:${r.start}-${r.end}`),
    });
    return {
      topic: config.topic,
      groupId,
      ranges,
      handle: async (partition, messages, keepAlive) => {
        const source = { topic: config.topic, partition, group: groupId };
        addToTotals(totals, await processBatch({ ...deps, keepAlive }, source, messages));
      },
      progress: () => `replayed ${totals.received}/${total}`,
      async finish(how) {
        await admin.deleteGroup(groupId).catch(() => undefined); // a finished replay leaves no group behind
        logger.info(how === 'done' ? 'replay done' : 'replay interrupted: run it again to finish', {
          ...totals,
        });
      },
    };
  },
});
