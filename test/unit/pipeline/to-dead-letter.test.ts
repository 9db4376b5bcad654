import { expect } from 'chai';
import type { IHeaders } from 'kafkajs';
import type { InboundMessage } from '../../../src/messaging/message.ts';
import { deadLetterHeaders } from '../../../src/pipeline/to-dead-letter.ts';
import { toDeadLetter } from '../../../src/pipeline/to-dead-letter.ts';
import type { Rejection } from '../../../src/domain/errors/error-codes.ts';

const rejection: Rejection = {
  code: 'EVENT_SCHEMA_VIOLATION',
  reason: "event must have required property 'price'",
};
const source = { topic: 'product-events', partition: 2, group: 'product-events-consumer' };
const failedAt = new Date('2025-10-08T15:31:00.000Z');

/** A message whose value is not even UTF-8, with ordinary headers and those of an earlier failure. */
function failedMessage(): InboundMessage {
  return {
    key: Buffer.from('evt_abc123def456'),
    value: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x00, 0xc3, 0x28]),
    headers: {
      'trace-id': Buffer.from('4bf92f3577b34da6'),
      'content-type': 'application/json',
      'x-tags': ['a', Buffer.from('b')],
      'x-unset': undefined,
      [deadLetterHeaders.code]: 'EVENT_MALFORMED',
      [deadLetterHeaders.reason]: 'an older failure',
      [deadLetterHeaders.offset]: '7',
      'dlq.custom': 'anything under dlq.',
    },
    offset: '42',
  };
}

const headersOf = (message: InboundMessage): IHeaders =>
  toDeadLetter(message, rejection, source, failedAt).headers ?? expect.fail('no headers');

describe('toDeadLetter', () => {
  it('keeps the key bytes identical', () => {
    const message = failedMessage();
    const { key } = toDeadLetter(message, rejection, source, failedAt);
    if (!Buffer.isBuffer(key) || message.key === null) expect.fail('expected the key as a Buffer');
    expect(key.equals(message.key)).to.be.true;
  });

  it('keeps the value bytes identical, even when they are not UTF-8', () => {
    const message = failedMessage();
    const { value } = toDeadLetter(message, rejection, source, failedAt);
    if (!Buffer.isBuffer(value) || message.value === null)
      expect.fail('expected the value as a Buffer');
    expect(value.equals(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x00, 0xc3, 0x28]))).to.be.true;
  });

  it('keeps a null key and a null value as null', () => {
    const letter = toDeadLetter(
      { key: null, value: null, offset: '0' },
      rejection,
      source,
      failedAt,
    );
    expect(letter.key).to.be.null;
    expect(letter.value).to.be.null;
  });

  it('keeps the original headers as they were', () => {
    const headers = headersOf(failedMessage());
    expect(headers['trace-id']).to.deep.equal(Buffer.from('4bf92f3577b34da6'));
    expect(headers['content-type']).to.equal('application/json');
    expect(headers['x-tags']).to.deep.equal(['a', Buffer.from('b')]);
  });

  it('drops headers without a value', () => {
    expect(headersOf(failedMessage())).to.not.have.property('x-unset');
  });

  it('drops every dlq.* header of an earlier failure', () => {
    const headers = headersOf(failedMessage());
    expect(headers).to.not.have.property('dlq.custom');
    expect(headers[deadLetterHeaders.code]).to.equal('EVENT_SCHEMA_VIOLATION');
    expect(headers[deadLetterHeaders.reason]).to.equal(rejection.reason);
    expect(headers[deadLetterHeaders.offset]).to.equal('42');
  });

  it('adds why and where the event failed, under the dead-letter header names', () => {
    const headers = headersOf(failedMessage());
    expect(headers).to.include({
      [deadLetterHeaders.code]: 'EVENT_SCHEMA_VIOLATION',
      [deadLetterHeaders.reason]: "event must have required property 'price'",
      [deadLetterHeaders.topic]: 'product-events',
      [deadLetterHeaders.partition]: '2',
      [deadLetterHeaders.offset]: '42',
      [deadLetterHeaders.group]: 'product-events-consumer',
      [deadLetterHeaders.failedAt]: '2025-10-08T15:31:00.000Z',
    });
  });

  it('uses exactly the documented header names', () => {
    expect(deadLetterHeaders).to.deep.equal({
      code: 'dlq.error.code',
      reason: 'dlq.error.reason',
      topic: 'dlq.source.topic',
      partition: 'dlq.source.partition',
      offset: 'dlq.source.offset',
      group: 'dlq.consumer.group',
      failedAt: 'dlq.failed.at',
    });
  });

  it('has only the kept headers and the dead-letter headers', () => {
    expect(headersOf(failedMessage())).to.have.all.keys(
      'trace-id',
      'content-type',
      'x-tags',
      ...Object.values(deadLetterHeaders),
    );
  });

  it('adds the dead-letter headers to a message that had no headers', () => {
    expect(headersOf({ key: null, value: Buffer.from('{}'), offset: '5' })).to.have.all.keys(
      ...Object.values(deadLetterHeaders),
    );
  });

  it('does not change the source message', () => {
    const message = failedMessage();
    toDeadLetter(message, rejection, source, failedAt);
    expect(message).to.deep.equal(failedMessage());
  });
});
