// Which records of a fetched partition belong to committed transactions (committed-records.ts),
// as the Java client decides it. kafkajs's own filter failed the first two cases.
import { expect } from 'chai';
import fc from 'fast-check';
import { keepCommittedRecords } from '../../../../src/adapters/kafkajs/committed-records.ts';

const abortKey = Buffer.from([0, 0, 0, 0]);
const commitKey = Buffer.from([0, 0, 0, 1]);

const data = (offset: number, producerId: string, inTransaction = true) => ({
  offset: String(offset),
  key: null,
  isControlRecord: false,
  batchContext: { producerId, inTransaction },
});
const marker = (offset: number, producerId: string, key: Buffer) => ({
  offset: String(offset),
  key,
  isControlRecord: true,
  batchContext: { producerId, inTransaction: true },
});
const offsetsOf = (records: readonly { offset: string; isControlRecord: boolean }[]) =>
  records.filter((r) => !r.isControlRecord).map((r) => Number(r.offset));

describe('keepCommittedRecords', () => {
  it('drops both aborted transactions of two producers listed in the order they were aborted', () => {
    // Producer 2 starts first (offset 0) but aborts last; the broker lists producer 1's first.
    const records = [
      data(0, '2'),
      data(1, '1'),
      data(2, '1'),
      marker(3, '1', abortKey),
      data(4, '2'),
      marker(5, '2', abortKey),
      data(6, '1'),
      marker(7, '1', commitKey),
    ];
    const aborted = [
      { producerId: '1', firstOffset: '1' },
      { producerId: '2', firstOffset: '0' },
    ];
    expect(offsetsOf(keepCommittedRecords(records, aborted))).to.deep.equal([6]);
  });

  it('steps into every aborted transaction that began before the fetch started', () => {
    const records = [
      data(10, '1'),
      data(11, '2'),
      marker(12, '1', abortKey),
      marker(13, '2', abortKey),
    ];
    const aborted = [
      { producerId: '1', firstOffset: '3' },
      { producerId: '2', firstOffset: '5' },
    ];
    expect(offsetsOf(keepCommittedRecords(records, aborted))).to.deep.equal([]);
  });

  it('keeps a producer’s records outside transactions, and its next transaction after the abort', () => {
    const records = [
      data(0, '1'),
      marker(1, '1', abortKey),
      data(2, '1', false),
      data(3, '1'),
      marker(4, '1', commitKey),
    ];
    expect(
      offsetsOf(keepCommittedRecords(records, [{ producerId: '1', firstOffset: '0' }])),
    ).to.deep.equal([2, 3]);
  });

  it('never takes an ordinary record whose key looks like a marker for the end of an abort', () => {
    const records = [data(0, '1'), { ...data(1, '1'), key: abortKey }, data(2, '1')];
    expect(
      offsetsOf(keepCommittedRecords(records, [{ producerId: '1', firstOffset: '0' }])),
    ).to.deep.equal([]);
  });

  it('gives the same records whatever order the aborted transactions are listed in', () => {
    const arbitrary = fc.record({
      producers: fc.array(fc.constantFrom('1', '2', '3'), { minLength: 1, maxLength: 40 }),
      aborted: fc.uniqueArray(fc.nat(39), { maxLength: 6 }),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(arbitrary, ({ producers, aborted, seed }) => {
        const records = producers.map((producer, offset) => data(offset, producer));
        const list = aborted
          .filter((offset) => offset < producers.length)
          .map((offset) => ({ producerId: producers[offset] ?? '1', firstOffset: String(offset) }));
        const shuffled = [...list].sort(() => ((seed ^ list.length) % 2 === 0 ? 1 : -1));
        expect(keepCommittedRecords(records, shuffled)).to.deep.equal(
          keepCommittedRecords(records, [...list].reverse()),
        );
      }),
    );
  });
});
