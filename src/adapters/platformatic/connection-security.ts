// KAFKA_SSL* and KAFKA_SASL* (runtime/kafka-security.ts) as @platformatic/kafka's `tls`, `sasl`
// and `tlsServerName` options, which every client of the adapter is built with (client-options.ts).
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { BaseOptions } from '@platformatic/kafka';
import type { KafkaSecurity } from '../../runtime/kafka-security.ts';

export type SecurityOptions = Pick<BaseOptions, 'tls' | 'sasl' | 'tlsServerName'>;

const mechanisms = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
} as const;

export function platformaticSecurity(
  security: KafkaSecurity,
  brokers: readonly string[],
): SecurityOptions {
  const { tls, sasl } = security;
  const options: ConnectionOptions | undefined =
    tls === undefined
      ? undefined
      : {
          ...(tls.ca === undefined ? {} : { ca: tls.ca }),
          ...(tls.cert === undefined ? {} : { cert: tls.cert }),
          ...(tls.key === undefined ? {} : { key: tls.key.reveal() }),
          ...(tls.verifyHostname ? {} : { checkServerIdentity: () => undefined }),
        };
  // SNI (which managed clusters route by) is off unless asked for; an IP address may not be sent
  // as a server name (RFC 6066), so it is asked for when the brokers are named by host name.
  const byName = brokers.every((broker) => isIP(broker.slice(0, broker.lastIndexOf(':'))) === 0);
  return {
    ...(options === undefined ? {} : { tls: options, tlsServerName: byName }),
    ...(sasl === undefined
      ? {}
      : {
          sasl: {
            mechanism: mechanisms[sasl.mechanism],
            username: sasl.username,
            password: sasl.password.reveal(),
          },
        }),
  };
}
