// `npm run dlq:redrive [-- --code <error code>]`: after the cause is fixed, sends dead letters back
// through validation and storage and reports what became of them.
import { createMessaging } from '../../adapters/create-messaging.ts';
import type { OutboundMessage } from '../../messaging/message.ts';
import { emptyTotals } from '../batch-totals.ts';
import { parseArgsOrExit } from '../../runtime/parse-args-or-exit.ts';
import { storageSchemaProbe } from '../../storage/storage-schema.ts';
import { createDeadLetterSink } from '../../pipeline/dead-letter-sink.ts';
import { checkDeadLetterTopic } from '../../pipeline/dead-letter-topic.ts';
import { messagesIn, runRangeCommand } from '../range-command.ts';
import { redriveLetters, type RedriveTotals } from './redrive-letters.ts';
import { parseRedriveOptions, redriveUsage } from './redrive-options.ts';

const options = parseArgsOrExit(parseRedriveOptions, redriveUsage);

await runRangeCommand({
  component: 'dlq-redrive',
  createMessaging,
  async plan({ config, logger, db, messaging, admin }) {
    const groupId = `${config.consumerGroupId}.dlq-redrive`;
    const totals: RedriveTotals = { ...emptyTotals(), letters: 0, kept: 0 };
    // The topic redrive reads: missing, it is reported as such (naming KAFKA_DLQ_TOPIC) first.
    const ends = await admin.partitionOffsets(config.dlqTopic);
    const maxMessageBytes = await checkDeadLetterTopic(
      admin,
      { topic: config.topic, dlqTopic: config.dlqTopic, group: groupId },
      logger,
    );
    const producer = messaging.createProducer();
    await producer.connect();
    // Letters kept unchanged go back as they came; letters that fail again may have grown.
    const send = async (messages: readonly OutboundMessage[]) => {
      await producer.send(config.dlqTopic, messages);
    };
    const sendDeadLetters = createDeadLetterSink({
      producer,
      topic: config.dlqTopic,
      maxMessageBytes,
      logger,
    });
    // From where the last redrive stopped (or the start) to the end as it is now: letters that
    // fail again are appended after that end, so one run never reads its own output.
    const committed = await admin.committedOffsets(groupId, config.dlqTopic);
    const ranges = ends.map(({ partition, low, high }) => ({
      partition,
      start: committed.get(partition) ?? low,
      end: high,
    }));
    const total = messagesIn(ranges);
    logger.info('redriving dead letters', {
      topic: config.dlqTopic,
      letters: total,
      code: options.code ?? 'all',
    });
    const deps = {
      db,
      storageSchema: storageSchemaProbe(db),
      sendDeadLetters,
      eventLimits: config.eventLimits,
      sliceMaxBytes: config.consumerSliceMaxBytes,
    };
    return {
      topic: config.dlqTopic,
      groupId,
      ranges,
      handle: (_partition, letters, keepAlive) =>
        redriveLetters(letters, options.code, groupId, { ...deps, keepAlive }, send, totals),
      progress: () => `redriven ${totals.letters}/${total}`,
      async finish(how) {
        await producer.disconnect();
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
      },
    };
  },
});
