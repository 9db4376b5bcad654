import { expect } from 'chai';
import {
  securityRatios,
  securityTable,
  type SecuredDrain,
  type SecurityResult,
} from '../../../bench/security-report.ts';

const drain = (
  kafkaClient: string,
  listener: SecuredDrain['listener'],
  eventsPerSecondAfterStartup: number,
  consumerMicrosPerEvent: number,
): SecuredDrain => ({
  kafkaClient,
  listener,
  eventsPerSecond: eventsPerSecondAfterStartup / 2,
  eventsPerSecondAfterStartup,
  consumerStartupMs: 1500,
  consumerMicrosPerEvent,
});

const result: SecurityResult = {
  events: 100_000,
  partitions: 6,
  saslMechanism: 'SCRAM-SHA-512',
  loadAverage: { atStart: [1, 1, 1], atEnd: [2, 2, 2] },
  drains: [
    drain('kafkajs', 'plaintext', 20_000, 30),
    drain('kafkajs', 'tls+sasl', 15_000, 45),
    // The second client runs the other way round: the order of the drains must not matter.
    drain('platformatic', 'tls+sasl', 18_000, 33),
    drain('platformatic', 'plaintext', 22_500, 30),
  ],
};

describe('bench --security', () => {
  it('divides TLS+SASL by plaintext, per client, whatever order they ran in', () => {
    expect(securityRatios(result.drains, 'kafkajs')).to.deep.equal({
      afterStartup: 0.75,
      fromStart: 0.75,
      consumerCpu: 1.5,
    });
    expect(securityRatios(result.drains, 'platformatic')?.afterStartup).to.equal(0.8);
    expect(securityRatios(result.drains.slice(0, 1), 'kafkajs')).to.equal(undefined);
  });

  it('names each drain by client and listener, and gives each client its ratio', () => {
    const lines = securityTable(result).split('\n');
    expect(
      lines.find((line) => line.startsWith('kafkajs through SASL_SSL (SCRAM-SHA-512)')),
    ).to.include('15,000 events/s after start-up');
    expect(lines.find((line) => line.startsWith('platformatic through PLAINTEXT'))).to.include(
      '22,500 events/s after start-up',
    );
    expect(lines.find((line) => line.startsWith('kafkajs: TLS+SASL / plaintext'))).to.include(
      '0.75 after start-up',
    );
    expect(lines.find((line) => line.startsWith('platformatic: TLS+SASL / plaintext'))).to.include(
      '0.80 after start-up',
    );
  });
});
