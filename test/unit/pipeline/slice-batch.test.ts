import { expect } from 'chai';
import fc from 'fast-check';
import type { InboundMessage } from '../../../src/messaging/message.ts';
import { sliceBatch } from '../../../src/pipeline/slice-batch.ts';

const message = (offset: number, bytes: number | null): InboundMessage => ({
  key: null,
  value: bytes === null ? null : Buffer.alloc(bytes),
  offset: String(offset),
});
const offsets = (slices: readonly (readonly InboundMessage[])[]) =>
  slices.map((slice) => slice.map((m) => Number(m.offset)));
const valueBytes = (slice: readonly InboundMessage[]) =>
  slice.reduce((sum, m) => sum + (m.value?.length ?? 0), 0);

describe('sliceBatch', () => {
  it('keeps a batch within both bounds as one slice', () => {
    const batch = [message(0, 100), message(1, 100), message(2, 100)];
    expect(offsets(sliceBatch(batch, { maxBytes: 300, maxMessages: 3 }))).to.deep.equal([
      [0, 1, 2],
    ]);
  });

  it('starts a new slice before the value bytes would pass the bound', () => {
    const batch = [0, 1, 2, 3, 4].map((offset) => message(offset, 400));
    expect(offsets(sliceBatch(batch, { maxBytes: 1_000, maxMessages: 100 }))).to.deep.equal([
      [0, 1],
      [2, 3],
      [4],
    ]);
  });

  it('starts a new slice when the message count is reached, however small the messages', () => {
    const batch = [0, 1, 2, 3, 4].map((offset) => message(offset, 0));
    expect(offsets(sliceBatch(batch, { maxBytes: 1_000, maxMessages: 2 }))).to.deep.equal([
      [0, 1],
      [2, 3],
      [4],
    ]);
  });

  it('puts a message larger than the bound in a slice of its own', () => {
    const batch = [message(0, 10), message(1, 5_000), message(2, 10)];
    expect(offsets(sliceBatch(batch, { maxBytes: 1_000, maxMessages: 100 }))).to.deep.equal([
      [0],
      [1],
      [2],
    ]);
  });

  it('counts a message without a value as no bytes', () => {
    const batch = [message(0, 1_000), message(1, null), message(2, 1)];
    expect(offsets(sliceBatch(batch, { maxBytes: 1_000, maxMessages: 100 }))).to.deep.equal([
      [0, 1],
      [2],
    ]);
  });

  it('makes no slice of an empty batch', () => {
    expect(sliceBatch([], { maxBytes: 1, maxMessages: 1 })).to.deep.equal([]);
  });

  it('keeps every message once, in offset order, each slice within the bounds unless it holds one message', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.nat(2_000), { nil: null }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 20 }),
        (sizes, maxBytes, maxMessages) => {
          const batch = sizes.map((bytes, offset) => message(offset, bytes));
          const slices = sliceBatch(batch, { maxBytes, maxMessages });
          expect(slices.flat()).to.deep.equal(batch);
          for (const [i, slice] of slices.entries()) {
            expect(slice.length).to.be.within(1, maxMessages);
            if (slice.length > 1) expect(valueBytes(slice)).to.be.at.most(maxBytes);
            // No slice ends early: the next one's first message would have broken a bound.
            const next = slices[i + 1]?.[0];
            if (next !== undefined && slice.length < maxMessages) {
              expect(valueBytes([...slice, next])).to.be.above(maxBytes);
            }
          }
        },
      ),
    );
  });
});
