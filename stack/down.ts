// `npm run stack:down`: stops what stack:up started, and nothing else.
import { loadConfigOrExit } from '../src/runtime/load-config.ts';
import { parseArgsOrExit, parseNoOptions } from '../src/runtime/parse-args-or-exit.ts';
import { stackDownUsage } from './stack-usage.ts';
import { createLogger } from '../src/runtime/logger.ts';
import { stopKafkaBroker } from './kafka/broker.ts';
import { localBrokerOptions } from './kafka/local-kafka.ts';
import { stopPostgresIfStartedByStack } from './postgres/local-postgres.ts';

parseArgsOrExit(parseNoOptions, stackDownUsage);
const config = loadConfigOrExit();
const logger = createLogger(config.logLevel, config.logFormat).child({ component: 'stack' });

const local = localBrokerOptions(config.kafkaBrokers);
const stoppedKafka = local !== undefined && (await stopKafkaBroker(local));
const stoppedPostgres = await stopPostgresIfStartedByStack();
logger.info('stack is down', { stoppedKafka, stoppedPostgres });
