// `npm run stack:down`: stops what stack:up started, and nothing else.
import { loadConfigOrExit } from '../src/config/load-config.ts';
import { createLogger } from '../src/logger.ts';
import { stopKafkaBroker } from './kafka-broker.ts';
import { localBrokerOptions } from './kafka.ts';
import { stopPostgresIfStartedByStack } from './postgres.ts';

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel).child({ component: 'stack' });

const local = localBrokerOptions(config.kafkaBrokers);
const stoppedKafka = local !== undefined && (await stopKafkaBroker(local));
const stoppedPostgres = await stopPostgresIfStartedByStack();
logger.info('stack is down', { stoppedKafka, stoppedPostgres });
