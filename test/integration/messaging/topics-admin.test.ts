// Topics made and removed through the port's admin, on the client KAFKA_CLIENT picks: what
// `stack:up`, the bench and the tests' set-up use. Only missing topics are created, each with its
// own partitions and settings; deleting skips a topic that is not there.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Admin } from '../../../src/messaging/port.ts';
import { portUnderTest, type PortUnderTest } from '../../support/port-under-test.ts';
import { waitUntil } from '../../support/wait-until.ts';

describe('topics through the port’s admin', function () {
  this.timeout(60_000);
  let port: PortUnderTest;
  let admin: Admin;
  const prefix = `it-topics-admin-${randomBytes(5).toString('hex')}`;
  const [narrow, roomy] = [`${prefix}-narrow`, `${prefix}-roomy`];

  before(async () => {
    port = await portUnderTest();
    admin = await port.messaging.connectAdmin();
  });
  after(async () => {
    await admin.deleteTopics([narrow, roomy]).catch(() => undefined);
    await admin.disconnect();
    await port.close();
  });

  it('creates the missing ones, each with its partitions and settings, and every partition led', async () => {
    const specs = [
      { topic: narrow, numPartitions: 1 },
      {
        topic: roomy,
        numPartitions: 4,
        configEntries: [{ name: 'max.message.bytes', value: '3000000' }],
      },
    ];
    expect(await admin.createTopics(specs)).to.deep.equal([narrow, roomy]);
    expect(await admin.createTopics(specs)).to.deep.equal([]);
    // Answered by each partition's leader: there is one for every partition at once.
    const partitions = (await admin.partitionOffsets(roomy)).map(({ partition }) => partition);
    expect(partitions.sort()).to.deep.equal([0, 1, 2, 3]);
    expect(await admin.topicMaxMessageBytes(roomy)).to.equal(3_000_000);
    expect(await admin.topicMaxMessageBytes(narrow)).to.not.equal(3_000_000);
  });

  it('deletes topics, and one that is not there is no error', async () => {
    await admin.deleteTopics([narrow, `${prefix}-never-made`]);
    await waitUntil(
      `${narrow} to be gone`,
      async () => (await admin.topicMaxMessageBytes(narrow)) === undefined,
      30_000,
      200,
    );
  });
});
