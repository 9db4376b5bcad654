// The kafkajs port producer gives kafkajs one partition per send (one-partition-per-send.ts), so
// kafkajs's retry that skips a broker which already answered can never skip a partition. Here with
// a stand-in for the kafkajs client: what each kafkajs send carries, and what the port reports.
import { expect } from 'chai';
import type { Kafka } from 'kafkajs';
import { portProducer } from '../../../../src/adapters/kafkajs/producer.ts';

interface KafkajsSend {
  readonly topic: string;
  readonly messages: { key: string; partition: number }[];
}

function standInKafka(options: {
  partitions: number;
  answer?: (send: KafkajsSend) => unknown;
  /** How long a send that succeeds takes. */
  answerAfterMs?: number;
}) {
  const sends: KafkajsSend[] = [];
  let metadataReads = 0;
  let answered = 0;
  const kafka = {
    producer: () => ({
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      send: async (send: KafkajsSend) => {
        sends.push(send);
        const answer = options.answer?.(send);
        if (answer instanceof Error) throw answer;
        await new Promise((resolve) => setTimeout(resolve, options.answerAfterMs ?? 0));
        answered += 1;
        return (
          (answer as unknown[] | undefined) ?? [
            { topicName: send.topic, partition: send.messages[0]!.partition, baseOffset: '7' },
          ]
        );
      },
    }),
    admin: () => ({
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      fetchTopicMetadata: ({ topics }: { topics: string[] }) => {
        metadataReads += 1;
        return Promise.resolve({
          topics: topics.map((name) => ({
            name,
            partitions: Array.from({ length: options.partitions }, (_, partitionId) => ({
              partitionId,
              leader: 1 + (partitionId % 3),
            })),
          })),
        });
      },
    }),
  };
  return {
    kafka: kafka as unknown as Kafka,
    sends,
    metadataReads: () => metadataReads,
    answered: () => answered,
  };
}

const messages = Array.from({ length: 60 }, (_, index) => ({
  key: `event-${index}`,
  value: `{"n":${index}}`,
}));

describe('the kafkajs port producer, one partition per kafkajs send', () => {
  it('sends each partition on its own, every message once, and reports each partition', async () => {
    const { kafka, sends } = standInKafka({ partitions: 6 });
    const producer = portProducer(kafka);
    const deliveries = await producer.send('t', messages);

    for (const send of sends)
      expect(
        new Set(send.messages.map((one) => one.partition)).size,
        'partitions in a send',
      ).to.equal(1);
    expect(sends.flatMap((send) => send.messages.map((one) => one.key)).sort()).to.deep.equal(
      messages.map((one) => one.key).sort(),
    );
    const partitions = new Set(sends.map((send) => send.messages[0]!.partition));
    expect(partitions.size, 'keys spread over partitions').to.be.above(1);
    expect(deliveries.map((one) => one.partition).sort()).to.deep.equal([...partitions].sort());
  });

  it('puts a key on the same partition every time', async () => {
    const { kafka, sends } = standInKafka({ partitions: 6 });
    const producer = portProducer(kafka);
    await producer.send('t', messages);
    await producer.send('t', messages);
    const partitionOf = new Map<string, Set<number>>();
    for (const { key, partition } of sends.flatMap((send) => send.messages))
      partitionOf.set(key, (partitionOf.get(key) ?? new Set()).add(partition));
    expect([...partitionOf.values()].every((seen) => seen.size === 1)).to.equal(true);
  });

  it('rejects a send that kafkajs resolved without an answer for its partition', async () => {
    const { kafka } = standInKafka({ partitions: 6, answer: () => [] });
    const error = await portProducer(kafka)
      .send('t', messages.slice(0, 1))
      .catch((caught: unknown) => caught);
    expect(String(error)).to.match(/without its offset/);
  });

  it('rejects once every partition has settled, and reads the partitions again next time', async () => {
    const { kafka, sends, metadataReads, answered } = standInKafka({
      partitions: 6,
      // Partition 0 fails at once; the others answer later.
      answer: (send) => (send.messages[0]!.partition === 0 ? new Error('NOT_LEADER') : undefined),
      answerAfterMs: 20,
    });
    const producer = portProducer(kafka);
    const error = await producer.send('t', messages).catch((caught: unknown) => caught);
    expect(String(error)).to.match(/NOT_LEADER/);
    expect(answered(), 'the other partitions answered before the rejection').to.equal(
      sends.length - 1,
    );
    await producer.send('t', messages).catch(() => undefined);
    expect(metadataReads(), 'metadata read again after a failure').to.equal(2);
  });
});
