// What an operator's log shows when the database cannot be reached: the consumer, started as a
// user starts it, with a DATABASE_URL holding a password and a host that refuses connections
// (IPv4 and IPv6), retries and logs why, at every level, with the address and port it was given
// (what the operator checks) but never the password. Real Kafka; the refusing "database" is a
// privileged port nobody listens on (closed-port.ts).
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { closedPort } from '../../support/closed-port.ts';
import { runScript } from '../../support/run-script.ts';
import { testServices } from '../../support/services.ts';
import { waitUntil } from '../../support/wait-until.ts';

const password = `Pw-${randomBytes(6).toString('hex')}`;

describe('the logs of a consumer whose database refuses connections', function () {
  this.timeout(60_000);

  for (const [family, host, address] of [
    ['IPv4', '127.0.0.1', '127.0.0.1'],
    ['IPv6', 'localhost', '::1'],
  ] as const) {
    it(`name the ${family} address and port, never the password`, async () => {
      const port = await closedPort();
      const { kafkaBrokers } = await testServices();
      const id = randomBytes(4).toString('hex');
      const consumer = runScript('src/apps/consumer/main.ts', [], {
        // pg reads a bracketed IPv6 host as a name to look up; its host parameter takes it as is.
        DATABASE_URL:
          family === 'IPv4'
            ? `postgres://writer:${password}@${host}:${port}/coding_task`
            : `postgres://writer:${password}@${host}:${port}/coding_task?host=${address}`,
        KAFKA_BROKERS: kafkaBrokers.join(','),
        KAFKA_TOPIC: `it-redact-${id}`,
        KAFKA_DLQ_TOPIC: `it-redact-${id}.dlq`,
        KAFKA_GROUP_ID: `it-redact-${id}`,
        LOG_LEVEL: 'debug',
      });
      try {
        await waitUntil('three start-up retries logged', () =>
          Promise.resolve(
            consumer.output().split('database unavailable at start-up').length > 3 ||
              consumer.child.exitCode !== null,
          ),
        );
        await sleep(500); // and whatever else it logs around them
      } finally {
        consumer.child.kill('SIGKILL');
        await consumer.exited;
      }
      const output = consumer.output();
      expect(consumer.child.exitCode, 'a database away is no reason to exit').to.equal(null);
      expect(output).to.include('ECONNREFUSED');
      expect(output).to.include(`${address}:${port}`);
      expect(output).to.not.include(password);
    });
  }
});
