// Global fixtures for the integration and fault suites, run once in mocha's main process whether the files
// run one after another or in parallel workers: the services are chosen (and started if need be)
// before any file runs, and stopped after every file has run. Workers are forked after the setup,
// so containers started here reach them through DATABASE_URL and KAFKA_BROKERS; without that, each
// worker would start its own stack and race the others for its ports.
import { stopTestServices, testServices } from './services.ts';

export async function mochaGlobalSetup(): Promise<void> {
  const services = await testServices();
  if (services.source === 'testcontainers') {
    process.env['DATABASE_URL'] = services.databaseUrl;
    process.env['KAFKA_BROKERS'] = services.kafkaBrokers.join(',');
  }
}

export async function mochaGlobalTeardown(): Promise<void> {
  await stopTestServices();
}
