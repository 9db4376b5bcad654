// What every @platformatic/kafka client of the service is built with.
import type { BaseOptions } from '@platformatic/kafka';
import type { Config } from '../../runtime/config.ts';
import { platformaticSecurity, type SecurityOptions } from './connection-security.ts';

export type ClientOptions = Pick<BaseOptions, 'clientId' | 'bootstrapBrokers' | 'retries'> &
  SecurityOptions;

export function clientOptions(
  config: Pick<Config, 'kafkaBrokers' | 'kafkaClientId' | 'kafkaSecurity'>,
): ClientOptions {
  return {
    clientId: config.kafkaClientId,
    bootstrapBrokers: [...config.kafkaBrokers],
    // The client's own retries (3 by default, 1 s apart) cover a leader moving; an outage longer
    // than that reaches the caller, which retries or restarts as it does with kafkajs.
    retries: 5,
    ...platformaticSecurity(config.kafkaSecurity, config.kafkaBrokers),
  };
}
