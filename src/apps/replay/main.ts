// `npm run replay -- --from <ISO time | partition:offset> [--to ...]`: re-reads a range of the topic
// into the database through the normal validation and idempotent upsert, under a consumer group of
// its own, so the live group's offsets never move. The use: after the v2 migration, fill in the new
// columns of events an older consumer stored without them. Safe to interrupt and run again.
import { loadConfigOrExit } from '../../runtime/load-config.ts';
import { addToTotals, emptyTotals } from '../../pipeline/batch-totals.ts';
import { processBatch, type BatchDependencies } from '../../pipeline/process-batch.ts';
import { connectDatabase } from '../../storage/connection.ts';
import { requireMigrations } from '../../storage/require-migrations.ts';
import { storageSchemaProbe } from '../../storage/storage-schema.ts';
import { createKafka } from '../../adapters/kafkajs/kafka-client.ts';
import { readRange } from '../../adapters/kafkajs/read-range.ts';
import { createLogger } from '../../runtime/logger.ts';
import { exitOnFatal, onShutdownSignal } from '../../runtime/shutdown.ts';
import { parseReplayOptions, replayUsage } from './replay-options.ts';
import { parseArgsOrExit } from '../../runtime/parse-args-or-exit.ts';
import { resolveRanges } from './resolve-ranges.ts';

const options = parseArgsOrExit(parseReplayOptions, replayUsage);
const config = loadConfigOrExit();
const logger = createLogger(config.logLevel, config.logFormat).child({ component: 'replay' });
const db = connectDatabase(config.databaseUrl, undefined, logger);
const kafka = createKafka(config, logger);
const groupId = `${config.consumerGroupId}.replay.${Date.now()}`;
const totals = emptyTotals();

// Events that fail are counted, not dead-lettered again: the live consumer already did that.
const deps: BatchDependencies = {
  db,
  storageSchema: storageSchemaProbe(db),
  sendDeadLetters: () => Promise.resolve(),
  eventLimits: config.eventLimits,
};

try {
  await requireMigrations(db);
  const admin = kafka.admin();
  await admin.connect();
  const ranges = await resolveRanges(admin, config.topic, options);
  const total = ranges.reduce(
    (sum, range) => sum + Number(range.end > range.start ? range.end - range.start : 0n),
    0,
  );
  logger.info('replaying', {
    topic: config.topic,
    groupId,
    events: total,
    ranges: ranges.map((r) => `${r.partition}:${r.start}-${r.end}`),
  });

  const reader = await readRange(kafka, {
    topic: config.topic,
    groupId,
    ranges,
    logger,
    handle: async (partition, messages) => {
      addToTotals(
        totals,
        await processBatch(deps, { topic: config.topic, partition, group: groupId }, messages),
      );
    },
  });
  const progress = setInterval(
    () => process.stderr.write(`replayed ${totals.received}/${total}\n`),
    1_000,
  );
  const finish = async (how: 'done' | 'interrupted') => {
    clearInterval(progress);
    await reader.stop();
    await admin.deleteGroups([groupId]).catch(() => undefined); // a finished replay leaves no group behind
    await admin.disconnect();
    await db.destroy();
    logger.info(how === 'done' ? 'replay done' : 'replay interrupted: run it again to finish', {
      ...totals,
    });
  };
  onShutdownSignal(logger, () => finish('interrupted'));
  await reader.finished;
  await finish('done');
  process.exit(0);
} catch (error) {
  exitOnFatal(logger, error);
}
