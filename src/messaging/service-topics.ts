// The service's two topics, as `stack:up` makes them through the port's admin (and the bench and
// the tests make theirs). A dead letter is its original message plus headers, so the dead-letter
// topic takes messages larger than the broker's 1 MiB default.
import type { TopicSpec } from './port.ts';

export const deadLetterTopicMaxMessageBytes = 2 * 1024 * 1024;

export function serviceTopics(config: {
  readonly topic: string;
  readonly dlqTopic: string;
  readonly topicPartitions: number;
}): TopicSpec[] {
  return [
    { topic: config.topic, numPartitions: config.topicPartitions },
    {
      topic: config.dlqTopic,
      numPartitions: config.topicPartitions,
      configEntries: [{ name: 'max.message.bytes', value: String(deadLetterTopicMaxMessageBytes) }],
    },
  ];
}
