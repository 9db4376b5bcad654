// Workaround for kafkajs 2.2.4 (unmaintained, pinned exact): a send that spans partitions led by
// different brokers can resolve without writing some of its messages. kafkajs keeps each broker's
// answer across its retries of one send (src/producer/sendMessages.js, `responsePerBroker`) and, on
// a retry, asks only brokers without an answer. When a leader dies mid-send, a partition it led can
// move to a broker that has already answered for its own partitions: that partition's messages are
// never sent again, and the send resolves (tulios/kafkajs#1798). The cluster failover test saw 22
// and 23 of about 23 000 acknowledged events missing from the topic this way.
// So the port's producer gives kafkajs one partition per send: a retry then always goes to the
// partition's current leader. The partitions are chosen here, with kafkajs's own default
// partitioner (the Java client's for keys) over the topic's partitions as an admin client reads them.
import { Partitioners, type Admin, type Kafka, type PartitionMetadata } from 'kafkajs';

/** kafkajs's own metadata age: a topic given more partitions is seen within five minutes. */
const metadataMaxAgeMs = 300_000;

export interface TopicPartitions {
  /** The partition of each message, in the order given. */
  partitionsOf(
    topic: string,
    messages: readonly { key: Buffer | string | null }[],
  ): Promise<number[]>;
  /** After a failed send: the next send reads the topic's partitions again. */
  forget(topic: string): void;
  close(): Promise<void>;
}

export function topicPartitions(kafka: Kafka): TopicPartitions {
  const partitioner = Partitioners.DefaultPartitioner();
  const known = new Map<
    string,
    { readonly partitions: PartitionMetadata[]; readonly at: number }
  >();
  let admin: Promise<Admin> | undefined;

  const connectedAdmin = () => {
    admin ??= (async () => {
      const created = kafka.admin();
      await created.connect();
      return created;
    })().catch((error: unknown) => {
      admin = undefined;
      throw error;
    });
    return admin;
  };

  const metadataOf = async (topic: string) => {
    const cached = known.get(topic);
    if (cached !== undefined && performance.now() - cached.at < metadataMaxAgeMs)
      return cached.partitions;
    const { topics } = await (await connectedAdmin()).fetchTopicMetadata({ topics: [topic] });
    const partitions = topics.find(({ name }) => name === topic)?.partitions ?? [];
    // kafkajs's admin throws for a topic that does not exist; an empty answer would partition by 0.
    if (partitions.length === 0)
      throw new Error(`topic ${topic} has no partitions in the metadata`);
    known.set(topic, { partitions, at: performance.now() });
    return partitions;
  };

  return {
    async partitionsOf(topic, messages) {
      const partitionMetadata = await metadataOf(topic);
      return messages.map(({ key }) =>
        partitioner({ topic, partitionMetadata, message: { key, value: null } }),
      );
    },
    forget: (topic) => known.delete(topic),
    async close() {
      const connected = admin;
      admin = undefined;
      if (connected !== undefined) await (await connected.catch(() => undefined))?.disconnect();
    },
  };
}
