// Reading a @platformatic/kafka message stream in rounds (stream-rounds.ts), on a stream of fake
// messages: what is buffered, per partition in offset order, up to the round's limits; a wait
// that data, an error, the stream closing or the caller ends; a partition's unreadable batch
// handed over once, after the last message before it.
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { StreamReadState } from '../../../../src/adapters/platformatic/reading-consumer.ts';
import {
  streamRounds,
  type KafkaStream,
  type PartitionRound,
} from '../../../../src/adapters/platformatic/stream-rounds.ts';
import { platformaticMessage } from './platformatic-message.ts';

function fakeStream() {
  const stream = new Readable({ objectMode: true, highWaterMark: 1, read: () => undefined });
  return { stream, kafkaStream: stream as unknown as KafkaStream };
}

const offsetsOf = (round: ReadonlyMap<number, PartitionRound>) =>
  Object.fromEntries(
    [...round].map(([partition, { messages }]) => [
      partition,
      messages.map((message) => Number(message.offset)),
    ]),
  );

const unlimited = { maxBytes: Number.POSITIVE_INFINITY, maxMessages: Number.POSITIVE_INFINITY };

describe('rounds of a platformatic message stream (stream-rounds.ts)', () => {
  it('takes what is buffered, grouped per partition in offset order', async () => {
    const { stream, kafkaStream } = fakeStream();
    for (const [partition, offset] of [
      [0, 1],
      [1, 5],
      [0, 2],
      [1, 6],
    ] as const)
      stream.push(platformaticMessage(partition, offset));
    const rounds = streamRounds(kafkaStream, new StreamReadState(), unlimited);
    expect(offsetsOf(await rounds.next())).to.deep.equal({ 0: [1, 2], 1: [5, 6] });
  });

  it('stops a round at its message and byte limits', async () => {
    const { stream, kafkaStream } = fakeStream();
    for (let offset = 0; offset < 5; offset += 1) stream.push(platformaticMessage(0, offset, 'xx'));
    const byCount = streamRounds(kafkaStream, new StreamReadState(), {
      maxBytes: Number.POSITIVE_INFINITY,
      maxMessages: 2,
    });
    expect(offsetsOf(await byCount.next())).to.deep.equal({ 0: [0, 1] });
    // 'xx' plus the header entry 'trace'/'t1' is 9 bytes: the round stops once it holds 10.
    const byBytes = streamRounds(kafkaStream, new StreamReadState(), {
      maxBytes: 10,
      maxMessages: Number.POSITIVE_INFINITY,
    });
    expect(offsetsOf(await byBytes.next())).to.deep.equal({ 0: [2, 3] });
  });

  it('waits for data, and gives an empty round when the caller wakes it', async () => {
    const { stream, kafkaStream } = fakeStream();
    const rounds = streamRounds(kafkaStream, new StreamReadState(), unlimited);
    const waiting = rounds.next();
    stream.push(platformaticMessage(3, 9));
    expect(offsetsOf(await waiting)).to.deep.equal({ 3: [9] });

    const woken = rounds.next();
    rounds.wake();
    expect((await woken).size).to.equal(0);
  });

  it("throws the stream's error, waiting or not, and ends", async () => {
    const { stream, kafkaStream } = fakeStream();
    const rounds = streamRounds(kafkaStream, new StreamReadState(), unlimited);
    const waiting = rounds.next();
    const failure = new Error('fetch failed');
    stream.destroy(failure);
    expect(await waiting.catch((error: unknown) => error)).to.equal(failure);
    expect(await rounds.next().catch((error: unknown) => error)).to.equal(failure);
    expect(rounds.ended()).to.equal(true);
  });

  it('ends when the stream closes, waking a wait', async () => {
    const { stream, kafkaStream } = fakeStream();
    const rounds = streamRounds(kafkaStream, new StreamReadState(), unlimited);
    const waiting = rounds.next();
    stream.destroy();
    expect((await waiting).size).to.equal(0);
    expect(rounds.ended()).to.equal(true);
  });

  it('hands over an unreadable batch once, after the last message before it was read', async () => {
    const { stream, kafkaStream } = fakeStream();
    const state = new StreamReadState();
    const rounds = streamRounds(kafkaStream, state, { ...unlimited, maxMessages: 1 });
    stream.push(platformaticMessage(0, 1));
    stream.push(platformaticMessage(0, 2));
    state.unreadable.set(0, { offset: '3', reason: 'zstd', lastMessageBefore: 2n });

    const first = await rounds.next();
    expect(offsetsOf(first)).to.deep.equal({ 0: [1] });
    expect(first.get(0)).not.to.have.property('unreadable');
    const second = await rounds.next();
    expect(offsetsOf(second)).to.deep.equal({ 0: [2] });
    expect(second.get(0)?.unreadable).to.deep.equal({ offset: '3', reason: 'zstd' });

    const third = rounds.next();
    rounds.wake();
    expect((await third).size).to.equal(0);
  });

  it('wakes a wait when a partition is noted unreadable with no message before it', async () => {
    const { kafkaStream } = fakeStream();
    const state = new StreamReadState();
    const rounds = streamRounds(kafkaStream, state, unlimited);
    const waiting = rounds.next();
    state.unreadable.set(4, { offset: '0', reason: 'corrupt', lastMessageBefore: undefined });
    state.onNoted();
    const round = await waiting;
    expect(round.get(4)).to.deep.equal({
      messages: [],
      unreadable: { offset: '0', reason: 'corrupt' },
    });
  });
});
