import { expect } from 'chai';
import { chunkBySize, messageBytes } from '../../../src/messaging/chunk-by-size.ts';

const ofBytes = (bytes: number) => ({
  key: 'k',
  value: Buffer.alloc(bytes),
  headers: { 'dlq.error.code': 'X' },
});

describe('chunkBySize', () => {
  it('keeps small messages together in one request', () => {
    const messages = Array.from({ length: 10 }, () => ofBytes(100));
    expect(chunkBySize(messages, 10_000)).to.deep.equal([messages]);
  });

  it('starts a new request before one would pass the limit, keeping the order', () => {
    const messages = Array.from({ length: 5 }, (_, i) => ({ ...ofBytes(400), key: String(i) }));
    const chunks = chunkBySize(messages, 1_000);
    expect(chunks.map((chunk) => chunk.map((m) => m.key))).to.deep.equal([
      ['0', '1'],
      ['2', '3'],
      ['4'],
    ]);
    for (const chunk of chunks)
      expect(chunk.reduce((sum, m) => sum + messageBytes(m), 0)).to.be.at.most(1_000);
  });

  it('sends a message larger than the limit alone', () => {
    const big = ofBytes(5_000);
    expect(
      chunkBySize([ofBytes(10), big, ofBytes(10)], 1_000).map((chunk) => chunk.length),
    ).to.deep.equal([1, 1, 1]);
  });

  it('counts key, value and every header', () => {
    expect(
      messageBytes({ key: 'abc', value: 'héllo', headers: { a: 'bb', c: ['d', Buffer.alloc(4)] } }),
    ).to.equal(70 + 3 + 6 + (1 + 2 + 8) + (1 + 1 + 8) + (1 + 4 + 8));
  });
});
