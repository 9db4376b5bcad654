// A range command (src/apps/range-command.ts, the skeleton of replay and redrive) run as its own
// process over a scripted port: partition 0 holds two events, then a record batch the client cannot
// read. Events go through the pipeline core into DATABASE_URL. Run by
// test/integration/apps/range-command-unreadable.test.ts, which reads its exit code and log lines.
import { runRangeCommand } from '../../src/apps/range-command.ts';
import { processBatch } from '../../src/pipeline/process-batch.ts';
import { storageSchemaProbe } from '../../src/storage/storage-schema.ts';
import { exampleV1Event } from '../unit/fixtures.ts';
import { inboundMessages, scriptedMessaging } from './scripted-messaging.ts';

const unreadableInRange = { offset: '2', reason: 'lz4 frame checksum does not match' };

const events = ['evt_r0', 'evt_r1'].map((eventId) =>
  JSON.stringify({ ...exampleV1Event(), eventId }),
);

await runRangeCommand({
  component: 'range-test',
  createMessaging: (config) =>
    Promise.resolve(
      scriptedMessaging({
        topic: config.topic,
        ranges: [
          { partition: 0, messages: inboundMessages(events), unreadable: unreadableInRange },
        ],
      }),
    ),
  plan({ config, db }) {
    let handled = 0;
    return Promise.resolve({
      topic: config.topic,
      groupId: `${config.consumerGroupId}.range-test`,
      ranges: [{ partition: 0, start: 0n, end: 10n }],
      async handle(partition, messages, keepAlive) {
        const deps = {
          db,
          storageSchema: storageSchemaProbe(db),
          sendDeadLetters: () => Promise.resolve(),
          sliceMaxBytes: config.consumerSliceMaxBytes,
          keepAlive,
        };
        const source = { topic: config.topic, partition, group: 'range-test' };
        handled += (await processBatch(deps, source, messages)).received;
      },
      progress: () => `handled ${handled}`,
      finish: () => Promise.resolve(),
    });
  },
});
