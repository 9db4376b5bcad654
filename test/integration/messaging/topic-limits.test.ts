// A topic's size limit through the port, on the client KAFKA_CLIENT picks: the admin reads a
// topic's max.message.bytes (and says when there is no such topic), and a producer's send the
// broker refuses as too large rejects with the port's MessageTooLargeError, which the dead-letter
// sink turns into a reference letter.
import { expect } from 'chai';
import { MessageTooLargeError } from '../../../src/messaging/message-too-large-error.ts';
import { portUnderTest, type PortUnderTest } from '../../support/port-under-test.ts';

describe('a topic’s size limit through the port', function () {
  this.timeout(60_000);
  let port: PortUnderTest;
  let topic: string;

  before(async () => {
    port = await portUnderTest();
    topic = await port.topic('it-topic-limits', 1, [], { 'max.message.bytes': '20000' });
  });
  after(async () => {
    await port.close();
  });

  it('is read by the admin, and a missing topic has none', async () => {
    const admin = await port.messaging.connectAdmin();
    try {
      expect(await admin.topicMaxMessageBytes(topic)).to.equal(20_000);
      expect(await admin.topicMaxMessageBytes(`${topic}-missing`)).to.equal(undefined);
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses a larger message with MessageTooLargeError', async () => {
    const producer = port.messaging.createProducer();
    await producer.connect();
    try {
      const failure = await producer
        .send(topic, [{ key: null, value: Buffer.alloc(30_000) }])
        .catch((error: unknown) => error);
      expect(failure).to.be.instanceOf(MessageTooLargeError);
      expect(
        await producer.send(topic, [{ key: null, value: Buffer.alloc(1_000) }]),
      ).to.have.length(1);
    } finally {
      await producer.disconnect();
    }
  });
});
