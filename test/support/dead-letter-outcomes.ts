// The dead letters of a topic reduced to what a test compares by event: which group wrote each,
// its code and the eventId inside. Values are dropped as they are read, so a few thousand letters
// of 1 MiB each cost the test process no more than one fetch.
import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { deadLetterHeaders } from '../../src/pipeline/to-dead-letter.ts';
import { waitUntil } from './wait-until.ts';

export interface DeadLetterOutcome {
  readonly group: string;
  readonly code: string;
  /** Undefined when the letter's value is not JSON with a string eventId. */
  readonly eventId: string | undefined;
}

const header = (message: KafkaMessage, name: string) => message.headers?.[name]?.toString() ?? '';

function eventIdOf(message: KafkaMessage): string | undefined {
  try {
    const parsed = JSON.parse(message.value?.toString('utf8') ?? '') as { eventId?: unknown };
    return typeof parsed.eventId === 'string' ? parsed.eventId : undefined;
  } catch {
    return undefined;
  }
}

/** Every letter on the dead-letter topic up to its current end, in partition order. */
export async function readDeadLetterOutcomes(
  kafka: Kafka,
  dlqTopic: string,
): Promise<DeadLetterOutcome[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(dlqTopic).finally(() => admin.disconnect());
  const expected = ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  if (expected === 0) return [];

  const outcomes: DeadLetterOutcome[] = [];
  const reader = kafka.consumer({ groupId: `test-dlq-outcomes-${randomBytes(4).toString('hex')}` });
  await reader.connect();
  try {
    await reader.subscribe({ topics: [dlqTopic], fromBeginning: true });
    await reader.run({
      eachMessage: ({ message }) => {
        outcomes.push({
          group: header(message, deadLetterHeaders.group),
          code: header(message, deadLetterHeaders.code),
          eventId: eventIdOf(message),
        });
        return Promise.resolve();
      },
    });
    await waitUntil(`${expected} dead letters`, () => Promise.resolve(outcomes.length >= expected));
    return outcomes;
  } finally {
    await reader.disconnect();
  }
}
