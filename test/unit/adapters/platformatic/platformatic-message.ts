// A @platformatic/kafka message as the adapter's round logic reads it (partition, offset, leader
// epoch, key, value, header entries), for unit tests of that logic without a broker.
import type { KafkaMessage } from '../../../../src/adapters/platformatic/stream-rounds.ts';

export function platformaticMessage(
  partition: number,
  offset: number,
  value = `m${offset}`,
): KafkaMessage {
  return {
    partition,
    offset: BigInt(offset),
    leaderEpoch: 7,
    key: undefined,
    value: Buffer.from(value),
    headerEntries: [[Buffer.from('trace'), Buffer.from('t1')]],
  } as unknown as KafkaMessage;
}
