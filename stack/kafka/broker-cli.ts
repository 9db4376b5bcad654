// Debug aid: node stack/kafka/broker-cli.ts start|stop|kill|status
import {
  defaultKafkaBrokerOptions as opts,
  ensureKafkaJars,
  kafkaBrokerStatus,
  killKafkaBroker,
  startKafkaBroker,
  stopKafkaBroker,
} from './broker.ts';

const command = process.argv[2];
const began = performance.now();
const ms = (): number => Math.round(performance.now() - began);

try {
  if (command === 'start') {
    // Fetched separately first only so the two durations can be told apart.
    const jars = await ensureKafkaJars(opts);
    const jarsMs = ms();
    const started = await startKafkaBroker(opts);
    const how = started.alreadyRunning ? 'already running' : `started in ${started.startupMs} ms`;
    const fetch = jars.fetched ? `fetched in ${jarsMs} ms` : `cached, checked in ${jarsMs} ms`;
    console.log(
      `kafka ${jars.version} ${how}: pid ${started.pid}, 127.0.0.1:${opts.port} (jars ${fetch})`,
    );
  } else if (command === 'stop' || command === 'kill') {
    const ended = await (command === 'stop' ? stopKafkaBroker(opts) : killKafkaBroker(opts));
    console.log(
      ended
        ? `kafka broker ${command === 'stop' ? 'stopped' : 'killed'} in ${ms()} ms`
        : 'kafka broker was not running',
    );
  } else if (command === 'status') {
    const status = await kafkaBrokerStatus(opts);
    const who = status.running ? `running (pid ${status.pid})` : 'not running';
    console.log(
      `kafka broker ${who}; 127.0.0.1:${opts.port} ${status.listening ? 'listening' : 'not listening'}`,
    );
  } else {
    console.error('usage: node stack/kafka/broker-cli.ts start|stop|kill|status');
    process.exitCode = 2;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
