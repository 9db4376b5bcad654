// KAFKA_SSL* and KAFKA_SASL* (runtime/kafka-security.ts) as kafkajs's `ssl` and `sasl` options.
// Kept apart from the client's construction so every kafkajs client of the service (the commands,
// stack:up's topic creation, the bench) gets them from the one place that builds it.
import type { ConnectionOptions } from 'node:tls';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { KafkaSecurity } from '../../runtime/kafka-security.ts';

export function kafkajsSecurity(security: KafkaSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { tls, sasl } = security;
  const ssl: ConnectionOptions | undefined =
    tls === undefined
      ? undefined
      : {
          // Node verifies the chain (rejectUnauthorized) and the name; kafkajs sends SNI.
          ...(tls.ca === undefined ? {} : { ca: tls.ca }),
          ...(tls.cert === undefined ? {} : { cert: tls.cert }),
          ...(tls.key === undefined ? {} : { key: tls.key.reveal() }),
          ...(tls.verifyHostname ? {} : { checkServerIdentity: () => undefined }),
        };
  return {
    ...(ssl === undefined ? {} : { ssl }),
    ...(sasl === undefined
      ? {}
      : {
          // kafkajs types each mechanism apart; the three take the same fields.
          sasl: {
            mechanism: sasl.mechanism,
            username: sasl.username,
            password: sasl.password.reveal(),
          } as SASLOptions,
        }),
  };
}
