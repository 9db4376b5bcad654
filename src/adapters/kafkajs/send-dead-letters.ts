// Sends dead letters to the dead-letter topic in requests of bounded size, each acknowledged by
// all in-sync replicas before the caller may commit the offsets of the messages they replace.
import type { Message, Producer } from 'kafkajs';
import { chunkBySize } from './chunk-by-size.ts';

export async function sendDeadLetters(
  producer: Producer,
  topic: string,
  messages: readonly Message[],
): Promise<void> {
  for (const chunk of chunkBySize(messages)) {
    await producer.send({ topic, acks: -1, messages: chunk });
  }
}
