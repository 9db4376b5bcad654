// What kafkajs's errors mean to the service, on the errors kafkajs really builds: a broker's error
// code through its own table (createErrorFromCode), and its retrier's wrappers.
import { expect } from 'chai';
import kafkajs from 'kafkajs';
import { kafkajsFailureKind } from '../../../../src/adapters/kafkajs/failure-kind.ts';
import { classifyError, isRecoverable } from '../../../../src/domain/errors/classify-error.ts';
import {
  asNonRetriable,
  asRetriesExceeded,
  kafkaProtocolError,
} from '../../../support/kafkajs-errors.ts';

const classify = (error: unknown) => classifyError(error, [kafkajsFailureKind]);

describe('the kafkajs adapter reads its errors', () => {
  // Kafka's names in parentheses where kafkajs uses older ones.
  const groupChurn = [
    'REBALANCE_IN_PROGRESS',
    'ILLEGAL_GENERATION',
    'UNKNOWN_MEMBER_ID',
    'NOT_COORDINATOR_FOR_GROUP', // (NOT_COORDINATOR)
    'GROUP_COORDINATOR_NOT_AVAILABLE', // (COORDINATOR_NOT_AVAILABLE)
    'GROUP_LOAD_IN_PROGRESS', // (COORDINATOR_LOAD_IN_PROGRESS)
  ];
  for (const type of groupChurn) {
    it(`calls ${type} group churn, also when kafkajs's retrier wraps it`, () => {
      const error = kafkaProtocolError(type);
      expect(error).to.be.instanceOf(kafkajs.KafkaJSProtocolError);
      expect(classify(error)).to.equal('group-churn');
      expect(classify(asNonRetriable(error))).to.equal('group-churn');
      expect(classify(asRetriesExceeded(error))).to.equal('group-churn');
      expect(isRecoverable(classify(error))).to.equal(true);
    });
  }

  it('knows that kafkajs marks rebalance, generation and membership errors not retriable', () => {
    for (const type of ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']) {
      expect(kafkaProtocolError(type).retriable, type).to.equal(false);
    }
  });

  it('calls a retriable broker error transient, also when wrapped as not retriable', () => {
    expect(classify(kafkaProtocolError('LEADER_NOT_AVAILABLE'))).to.equal('transient');
    expect(classify(kafkaProtocolError('REQUEST_TIMED_OUT'))).to.equal('transient');
    expect(classify(asNonRetriable(kafkaProtocolError('LEADER_NOT_AVAILABLE')))).to.equal(
      'transient',
    );
  });

  it('calls a connection lost or refused, and a request timed out, transient', () => {
    const refused = new kafkajs.KafkaJSConnectionError('Connection error: connect ECONNREFUSED', {
      broker: '127.0.0.1:9092',
      code: 'ECONNREFUSED',
    });
    expect(kafkajsFailureKind(refused)).to.equal('transient');
    const timedOut = new kafkajs.KafkaJSRequestTimeoutError(
      'Request Heartbeat(key: 12) timed out',
      {
        broker: '127.0.0.1:9092',
        clientId: 'test',
        correlationId: 4,
        createdAt: 0,
        sentAt: 0,
        pendingDuration: 0,
      },
    );
    expect(kafkajsFailureKind(timedOut)).to.equal('transient');
  });

  it('calls what its retrier gave up on transient, whatever the last attempt threw', () => {
    expect(classify(asRetriesExceeded(kafkaProtocolError('LEADER_NOT_AVAILABLE')))).to.equal(
      'transient',
    );
    // kafkajs retries any error not marked otherwise (retry/index.js, isErrorRetriable).
    expect(classify(asRetriesExceeded(new Error('socket hang up')))).to.equal('transient');
  });

  it('calls setup errors fatal: no rejoin cures them', () => {
    for (const type of [
      'GROUP_AUTHORIZATION_FAILED',
      'TOPIC_AUTHORIZATION_FAILED',
      'INVALID_GROUP_ID',
      'INCONSISTENT_GROUP_PROTOCOL',
    ]) {
      expect(classify(kafkaProtocolError(type)), type).to.equal('fatal');
      expect(isRecoverable(classify(kafkaProtocolError(type))), type).to.equal(false);
    }
    // As kafkajs's SASL authenticator throws it (its type declarations omit the message).
    const login = new (kafkajs.KafkaJSSASLAuthenticationError as new (message: string) => Error)(
      'SASL PLAIN authentication failed',
    );
    expect(classify(login)).to.equal('fatal');
  });

  it("leaves errors that are not kafkajs's to the other edges", () => {
    expect(kafkajsFailureKind(new Error('Connection terminated unexpectedly'))).to.equal(undefined);
    expect(kafkajsFailureKind(Object.assign(new Error('x'), { retriable: true }))).to.equal(
      undefined,
    );
    const lookalike = Object.assign(new Error('x'), { type: 'REBALANCE_IN_PROGRESS' });
    expect(kafkajsFailureKind(lookalike)).to.equal(undefined);
  });
});
