// `npm run dlq:redrive [-- --code <error code>]`: after the cause is fixed, sends dead letters back
// through validation and storage and reports what became of them.
import type { Message } from 'kafkajs';
import { loadConfigOrExit } from '../../runtime/load-config.ts';
import { connectDatabase } from '../../storage/connection.ts';
import { requireMigrations } from '../../storage/require-migrations.ts';
import { storageSchemaProbe } from '../../storage/storage-schema.ts';
import { createProducer } from '../../adapters/kafkajs/create-producer.ts';
import { createKafka } from '../../adapters/kafkajs/kafka-client.ts';
import { readRange } from '../../adapters/kafkajs/read-range.ts';
import { createLogger } from '../../runtime/logger.ts';
import { exitOnFatal, onShutdownSignal } from '../../runtime/shutdown.ts';
import { emptyTotals } from '../../pipeline/batch-totals.ts';
import { parseRedriveOptions, redriveUsage } from './redrive-options.ts';
import { parseArgsOrExit } from '../../runtime/parse-args-or-exit.ts';
import { redriveLetters, type RedriveTotals } from './redrive-letters.ts';
import { sendDeadLetters } from '../../adapters/kafkajs/send-dead-letters.ts';

const options = parseArgsOrExit(parseRedriveOptions, redriveUsage);
const config = loadConfigOrExit();
const logger = createLogger(config.logLevel, config.logFormat).child({ component: 'dlq-redrive' });
const db = connectDatabase(config.databaseUrl, undefined, logger);
const kafka = createKafka(config, logger);
const producer = createProducer(kafka);
const groupId = `${config.consumerGroupId}.dlq-redrive`;
const totals: RedriveTotals = { ...emptyTotals(), letters: 0, kept: 0 };
const send = (messages: Message[]) => sendDeadLetters(producer, config.dlqTopic, messages);

try {
  await requireMigrations(db);
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  // From where the last redrive stopped (or the start) to the end as it is now: letters that
  // fail again are appended after that end, so one run never reads its own output.
  const ends = await admin.fetchTopicOffsets(config.dlqTopic);
  const [committed] = await admin.fetchOffsets({ groupId, topics: [config.dlqTopic] });
  await admin.disconnect();
  const ranges = ends.map(({ partition, low, high }) => {
    const done = committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
    const start = BigInt(done) >= 0n ? BigInt(done) : BigInt(low);
    return { partition, start, end: BigInt(high) };
  });
  const total = ranges.reduce((sum, range) => sum + Number(range.end - range.start), 0);
  logger.info('redriving dead letters', {
    topic: config.dlqTopic,
    letters: total,
    code: options.code ?? 'all',
  });

  const deps = {
    db,
    storageSchema: storageSchemaProbe(db),
    sendDeadLetters: send,
    eventLimits: config.eventLimits,
  };
  const reader = await readRange(kafka, {
    topic: config.dlqTopic,
    groupId,
    ranges,
    logger,
    handle: (_partition, letters) =>
      redriveLetters(letters, options.code, groupId, deps, send, totals),
  });
  // A person waiting on a long redrive sees it move; counts only, never letter contents.
  const progress = setInterval(
    () => process.stderr.write(`redriven ${totals.letters}/${total}\n`),
    1_000,
  );
  const finish = async (how: 'done' | 'interrupted') => {
    clearInterval(progress);
    await reader.stop();
    await producer.disconnect();
    await db.destroy();
    const { letters, stored, repeats, kept, failed } = totals;
    const report = {
      letters,
      stored,
      alreadyStoredInBatch: repeats,
      stillDeadLettered: failed,
      keptUnchanged: kept,
    };
    logger.info(
      how === 'done' ? 'redrive done' : 'redrive interrupted: run it again to go on',
      report,
    );
    process.stdout.write(`${JSON.stringify(report)}\n`);
  };
  onShutdownSignal(logger, () => finish('interrupted'));
  await reader.finished;
  await finish('done');
  process.exit(0);
} catch (error) {
  exitOnFatal(logger, error);
}
