// Kafka for the stack: brokers that already answer are used as they are (KAFKA_BROKERS, or a
// Docker Kafka on the default port); otherwise a local broker is started on the loopback address.
import { defaultKafkaBrokerOptions, startKafkaBroker, type KafkaBrokerOptions } from './broker.ts';
import { isTcpPortOpen } from '../wait-for-port.ts';

const loopback = new Set(['127.0.0.1', 'localhost']);

export type KafkaSource = 'already-answering' | 'local-broker-running' | 'local-broker-started';

export function localBrokerOptions(brokers: readonly string[]): KafkaBrokerOptions | undefined {
  const [only, ...others] = brokers;
  if (only === undefined || others.length > 0) return undefined;
  const [host = '', port = ''] = only.split(':');
  if (!loopback.has(host)) return undefined;
  return { ...defaultKafkaBrokerOptions, port: Number(port), controllerPort: Number(port) + 1 };
}

export async function ensureKafka(
  brokers: readonly string[],
  onStart: (line: string) => void = () => undefined,
): Promise<{ source: KafkaSource; startupMs?: number }> {
  for (const broker of brokers) {
    const [host = '', port = ''] = broker.split(':');
    if (await isTcpPortOpen(host, Number(port))) return { source: 'already-answering' };
  }
  const local = localBrokerOptions(brokers);
  if (local === undefined) {
    throw new Error(
      'KAFKA_BROKERS does not answer, and it names brokers this stack does not run: start them, ' +
        'or unset KAFKA_BROKERS to use the local broker',
    );
  }
  onStart(`starting the local Kafka broker on 127.0.0.1:${local.port} (can take a minute)`);
  const started = await startKafkaBroker(local);
  return started.alreadyRunning
    ? { source: 'local-broker-running' }
    : { source: 'local-broker-started', startupMs: started.startupMs };
}
