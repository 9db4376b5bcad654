import { expect } from 'chai';
import type { OutboundMessage } from '../../../src/messaging/message.ts';
import { MessageTooLargeError } from '../../../src/messaging/message-too-large-error.ts';
import type { Producer } from '../../../src/messaging/port.ts';
import { createDeadLetterSink } from '../../../src/pipeline/dead-letter-sink.ts';
import { referenceLetterHeaders } from '../../../src/pipeline/reference-letter.ts';
import { deadLetterHeaders, toDeadLetter } from '../../../src/pipeline/to-dead-letter.ts';
import { createLogger } from '../../../src/runtime/logger.ts';

const logger = createLogger('error', 'json');
const source = { topic: 'product-events', partition: 1, group: 'product-events-consumer' };
const letterOf = (valueBytes: number, offset: string): OutboundMessage =>
  toDeadLetter(
    {
      key: Buffer.from('user_1'),
      value: Buffer.alloc(valueBytes, 0x7b),
      headers: { 'trace-id': 'abc' },
      offset,
    },
    { code: 'EVENT_SCHEMA_VIOLATION', reason: "event must have required property 'price'" },
    source,
    new Date('2026-01-01T00:00:00Z'),
  );

/** A broker that refuses a send with what `refuse` returns, else takes it. */
function fakeProducer(refuse: (letters: readonly OutboundMessage[]) => Error | undefined) {
  const sent: OutboundMessage[][] = [];
  const producer: Producer = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    send(_topic, letters) {
      const failure = refuse(letters);
      if (failure !== undefined) return Promise.reject(failure);
      sent.push([...letters]);
      return Promise.resolve([]);
    },
  };
  return { producer, sent };
}
const takesAll = () => undefined;
const header = (letter: OutboundMessage | undefined, name: string) =>
  letter?.headers?.[name]?.toString();

describe('the dead-letter sink', () => {
  it('sends letters that fit the topic as they are', async () => {
    const { producer, sent } = fakeProducer(takesAll);
    const letters = [letterOf(100, '1'), letterOf(200, '2')];
    await createDeadLetterSink({ producer, topic: 'dlq', maxMessageBytes: 10_000, logger })(
      letters,
    );
    expect(sent).to.deep.equal([letters]);
  });

  it('sends a letter larger than the topic takes as a reference letter', async () => {
    const { producer, sent } = fakeProducer(takesAll);
    const large = letterOf(20_000, '7');
    await createDeadLetterSink({ producer, topic: 'dlq', maxMessageBytes: 10_000, logger })([
      letterOf(100, '6'),
      large,
    ]);
    const reference = sent.flat()[1];
    expect(reference?.key).to.equal(null);
    expect(reference?.value).to.equal(null);
    expect(reference?.headers).to.deep.equal({
      [deadLetterHeaders.code]: 'EVENT_SCHEMA_VIOLATION',
      [deadLetterHeaders.reason]: "event must have required property 'price'",
      [deadLetterHeaders.topic]: 'product-events',
      [deadLetterHeaders.partition]: '1',
      [deadLetterHeaders.offset]: '7',
      [deadLetterHeaders.group]: 'product-events-consumer',
      [deadLetterHeaders.failedAt]: '2026-01-01T00:00:00.000Z',
      [referenceLetterHeaders.reference]: 'true',
      // key 6 + value 20 000 + "trace-id" 8 + "abc" 3
      [referenceLetterHeaders.originalBytes]: '20017',
    });
    expect(header(sent.flat()[0], referenceLetterHeaders.reference)).to.equal(undefined);
  });

  it('keeps every request within the topic’s limit', async () => {
    const { producer, sent } = fakeProducer(takesAll);
    const letters = Array.from({ length: 20 }, (_, i) => letterOf(900, String(i)));
    await createDeadLetterSink({ producer, topic: 'dlq', maxMessageBytes: 3_000, logger })(letters);
    expect(sent.flat()).to.deep.equal(letters);
    for (const request of sent) expect(request.length).to.be.within(1, 2);
  });

  it('sends the letters the broker refuses as too large as references, one by one', async () => {
    // The topic shrank after the start: the broker refuses anything over 5 000 value bytes.
    const { producer, sent } = fakeProducer((letters) =>
      letters.some((letter) => (letter.value?.length ?? 0) > 5_000)
        ? new MessageTooLargeError('dlq')
        : undefined,
    );
    await createDeadLetterSink({ producer, topic: 'dlq', maxMessageBytes: 1_000_000, logger })([
      letterOf(100, '1'),
      letterOf(8_000, '2'),
      letterOf(100, '3'),
    ]);
    expect(sent.flat().map((letter) => header(letter, deadLetterHeaders.offset))).to.deep.equal([
      '1',
      '2',
      '3',
    ]);
    expect(
      sent.flat().map((letter) => header(letter, referenceLetterHeaders.reference)),
    ).to.deep.equal([undefined, 'true', undefined]);
  });

  it('waits (DEAD_LETTER_NOT_SENT, retryable) when the broker does not take a letter', async () => {
    const { producer } = fakeProducer(() =>
      Object.assign(new Error('This server does not host this topic-partition'), {
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
      }),
    );
    const failure = await createDeadLetterSink({
      producer,
      topic: 'dlq',
      maxMessageBytes: 10_000,
      logger,
    })([letterOf(100, '1')]).catch((error: unknown) => error);
    expect(failure).to.include({ code: 'DEAD_LETTER_NOT_SENT', retryable: true });
    expect((failure as Error).message).to.include('topic dlq');
  });

  it('waits when even the reference letter is refused as too large', async () => {
    const { producer } = fakeProducer(() => new MessageTooLargeError('dlq'));
    const failure = await createDeadLetterSink({
      producer,
      topic: 'dlq',
      maxMessageBytes: 10_000,
      logger,
    })([letterOf(100, '1')]).catch((error: unknown) => error);
    expect(failure).to.include({ code: 'DEAD_LETTER_NOT_SENT' });
  });

  it('lets a bug through as it is', async () => {
    const bug = new TypeError('undefined is not a function');
    const { producer } = fakeProducer(() => bug);
    const failure = await createDeadLetterSink({
      producer,
      topic: 'dlq',
      maxMessageBytes: 10_000,
      logger,
    })([letterOf(100, '1')]).catch((error: unknown) => error);
    expect(failure).to.equal(bug);
  });
});
