// What a newcomer sees when Kafka is not there, through the real commands, on the client
// KAFKA_CLIENT picks (each reads its own failures): a Kafka that does not answer, a missing topic.
// Each is ONE line at the default log level, naming the address from the configuration and what to
// run or set; no stack. The closed port is a privileged one nobody listens on (closed-port.ts).
// The database's cases are in database-errors-name-the-fix.test.ts (no Kafka client's code runs
// there, so they run once).
import { errorCaseSetting, expectOneLine, runToExit } from './error-lines.ts';

describe('errors that name the fix: Kafka', function () {
  this.timeout(180_000);
  const { id, kafka, brokers, downPort } = errorCaseSetting();

  describe('a Kafka that does not answer', () => {
    const down = () => ({ ...kafka(), KAFKA_BROKERS: `127.0.0.1:${downPort()}` });
    const line = () =>
      `no Kafka broker answers on 127.0.0.1:${downPort()} (ECONNREFUSED): run \`npm run stack:up\` (starts the local one) or set KAFKA_BROKERS`;

    it('stops the consumer with one line', async () => {
      expectOneLine(
        await runToExit('src/apps/consumer/main.ts', [], down()),
        'KAFKA_UNREACHABLE',
        line(),
      );
    });

    it('stops the producer with one line', async () => {
      expectOneLine(
        await runToExit('src/apps/producer/main.ts', [], down()),
        'KAFKA_UNREACHABLE',
        line(),
      );
    });
  });

  describe('a topic that does not exist', () => {
    const line = (topic: string, variable: string) =>
      `topic ${topic} does not exist on ${brokers()}: run \`npm run stack:up\` (creates it) or set ${variable}`;

    it('stops the consumer with one line', async () => {
      expectOneLine(
        await runToExit('src/apps/consumer/main.ts', [], kafka()),
        'KAFKA_TOPIC_MISSING',
        line(`it-missing-${id}`, 'KAFKA_TOPIC'),
      );
    });

    it('stops the producer with one line', async () => {
      expectOneLine(
        await runToExit('src/apps/producer/main.ts', [], kafka()),
        'KAFKA_TOPIC_MISSING',
        line(`it-missing-${id}`, 'KAFKA_TOPIC'),
      );
    });

    it('stops replay with one line', async () => {
      expectOneLine(
        await runToExit('src/apps/replay/main.ts', ['--from', '0:0'], kafka()),
        'KAFKA_TOPIC_MISSING',
        line(`it-missing-${id}`, 'KAFKA_TOPIC'),
      );
    });

    it('stops dlq:redrive with one line naming KAFKA_DLQ_TOPIC', async () => {
      expectOneLine(
        await runToExit('src/apps/redrive/main.ts', [], kafka()),
        'KAFKA_TOPIC_MISSING',
        line(`it-missing-${id}.dlq`, 'KAFKA_DLQ_TOPIC'),
      );
    });
  });
});
