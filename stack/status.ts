// `npm run stack:status`: what answers, what the stack started, which migrations ran.
import { loadConfigOrExit } from '../src/runtime/load-config.ts';
import { parseArgsOrExit, parseNoOptions } from '../src/runtime/parse-args-or-exit.ts';
import { stackStatusUsage } from './stack-usage.ts';
import { connectDatabase } from '../src/storage/connection.ts';
import { kafkaBrokerStatus } from './kafka/broker.ts';
import { localBrokerOptions } from './kafka/local-kafka.ts';
import { describePostgres, postgresTarget } from './postgres/local-postgres.ts';
import { isTcpPortOpen } from './wait-for-port.ts';

parseArgsOrExit(parseNoOptions, stackStatusUsage);
const config = loadConfigOrExit();
const { host, port, database } = postgresTarget(config.databaseUrl);
const lines: string[] = [];

const postgresUp = await isTcpPortOpen(host, port);
const which = await describePostgres(config.postgresAdminUrl);
lines.push(
  `postgres   ${postgresUp ? 'answering' : 'NOT answering'} on ${host}:${port} (${which}; database ${database})`,
);
if (postgresUp) {
  const db = connectDatabase(config.database, 1);
  try {
    const [done, pending] = (await db.migrate.list()) as [unknown[], unknown[]];
    lines.push(`migrations ${done.length} run, ${pending.length} pending`);
  } catch {
    lines.push('migrations unknown (database missing? run npm run stack:up)');
  } finally {
    await db.destroy();
  }
}

const local = localBrokerOptions(config.kafkaBrokers);
const broker = local === undefined ? undefined : await kafkaBrokerStatus(local);
const kafkaUp =
  broker?.listening ?? (await isTcpPortOpen(...splitBroker(config.kafkaBrokers[0] ?? '')));
const owner =
  broker?.running === true ? `local broker, pid ${broker.pid}` : 'not started by the stack';
lines.push(`kafka      ${kafkaUp ? 'answering' : 'NOT answering'} (${owner})`);
process.stdout.write(`${lines.join('\n')}\n`);

function splitBroker(broker: string): [string, number] {
  const [brokerHost = '', brokerPort = '0'] = broker.split(':');
  return [brokerHost, Number(brokerPort)];
}
