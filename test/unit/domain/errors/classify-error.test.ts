import {
  MultipleErrors,
  NetworkError,
  ProtocolError,
  ResponseError,
  TimeoutError,
} from '@platformatic/kafka';
import { expect } from 'chai';
import { classifyError, isRecoverable } from '../../../../src/domain/errors/classify-error.ts';
import { ServiceError } from '../../../../src/domain/errors/error-codes.ts';
import {
  asNonRetriable,
  asRetriesExceeded,
  kafkaProtocolError,
} from '../../../support/kafkajs-errors.ts';

/** An error shaped like the ones pg and Node's net module throw: a message and a code. */
const withCode = (code: string, message = 'failed'): Error =>
  Object.assign(new Error(message), { code });

describe('classifyError', () => {
  describe('programming errors', () => {
    it('calls a TypeError fatal', () => {
      expect(
        classifyError(new TypeError("Cannot read properties of undefined (reading 'x')")),
      ).to.equal('fatal');
    });

    it('calls a ReferenceError, RangeError and SyntaxError fatal', () => {
      expect(classifyError(new ReferenceError('x is not defined'))).to.equal('fatal');
      expect(classifyError(new RangeError('Invalid array length'))).to.equal('fatal');
      expect(classifyError(new SyntaxError('Unexpected token'))).to.equal('fatal');
    });

    it('calls a TypeError fatal even when it carries a transient code', () => {
      expect(classifyError(Object.assign(new TypeError('x'), { code: 'ECONNREFUSED' }))).to.equal(
        'fatal',
      );
    });

    it('calls a plain Error without any hint fatal', () => {
      expect(classifyError(new Error('something broke'))).to.equal('fatal');
    });
  });

  describe('Postgres errors (SQLSTATE codes)', () => {
    const cases: [code: string, expected: string, meaning: string][] = [
      ['08006', 'transient', 'connection failure'],
      ['08001', 'transient', 'cannot connect'],
      ['57P01', 'transient', 'admin shutdown'],
      ['57P03', 'transient', 'cannot connect now'],
      ['40P01', 'transient', 'deadlock detected'],
      ['40001', 'transient', 'serialization failure'],
      ['53300', 'transient', 'too many connections'],
      ['57014', 'transient', 'statement timeout'],
      ['55P03', 'transient', 'lock not available'],
      ['22001', 'event-data', 'string data right truncation'],
      ['22P05', 'event-data', 'untranslatable character'],
      ['23502', 'event-data', 'not null violation'],
      ['23514', 'event-data', 'check violation'],
      ['23503', 'event-data', 'foreign key violation'],
      ['23505', 'event-data', 'unique violation'],
      ['P0001', 'event-data', 'raise exception (a trigger refusing the row)'],
      ['P0004', 'event-data', 'assert failure'],
      ['42501', 'fatal', 'insufficient privilege'],
      ['42P01', 'fatal', 'undefined table'],
      ['28P01', 'fatal', 'invalid password'],
    ];
    for (const [code, expected, meaning] of cases) {
      it(`calls ${code} (${meaning}) ${expected}`, () => {
        expect(classifyError(withCode(code))).to.equal(expected);
      });
    }
  });

  describe('network errors', () => {
    for (const code of [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EPIPE',
      'EHOSTUNREACH',
      'ENETUNREACH',
      'EAI_AGAIN',
    ]) {
      it(`calls ${code} transient`, () => {
        expect(classifyError(withCode(code, `connect ${code} 127.0.0.1:5432`))).to.equal(
          'transient',
        );
      });
    }

    it('calls an unknown system error code fatal', () => {
      expect(classifyError(withCode('ENOENT'))).to.equal('fatal');
    });

    it('calls a pg "Connection terminated" error, which has no code, transient', () => {
      expect(classifyError(new Error('Connection terminated unexpectedly'))).to.equal('transient');
    });

    it("calls the query pg refuses on a connection that failed (knex's ROLLBACK after it) transient", () => {
      // pg builds it as a plain Error with this message (pg/lib/client.js, query() once the
      // client's connection has failed); knex prefixes the statement.
      const error = new Error(
        'ROLLBACK - Client has encountered a connection error and is not queryable',
      );
      expect(classifyError(error)).to.equal('transient');
    });

    it('calls a pg connection timeout transient', () => {
      expect(classifyError(new Error('timeout expired: Connection timeout'))).to.equal('transient');
    });
  });

  describe('Kafka and knex errors', () => {
    it('calls an error marked retriable transient', () => {
      expect(
        classifyError(Object.assign(new Error('leader not available'), { retriable: true })),
      ).to.equal('transient');
    });

    it('calls an error marked not retriable, without any other hint, fatal', () => {
      expect(classifyError(Object.assign(new Error('x'), { retriable: false }))).to.equal('fatal');
    });

    it('calls a KafkaJSNumberOfRetriesExceeded transient', () => {
      const error = Object.assign(new Error('retries exceeded'), {
        name: 'KafkaJSNumberOfRetriesExceeded',
      });
      expect(classifyError(error)).to.equal('transient');
    });

    it('calls a KnexTimeoutError transient', () => {
      const error = new Error('Knex: Timeout acquiring a connection. The pool is probably full.');
      error.name = 'KnexTimeoutError';
      expect(classifyError(error)).to.equal('transient');
    });
  });

  describe('service errors', () => {
    it('calls a service error with a code that is not retryable fatal', () => {
      expect(
        classifyError(new ServiceError('DATABASE_NOT_MIGRATED', 'run the migrations')),
      ).to.equal('fatal');
    });
  });

  describe('wrapped errors', () => {
    it('calls an error whose cause is transient transient', () => {
      const error = new Error('write failed', { cause: withCode('ECONNREFUSED') });
      expect(classifyError(error)).to.equal('transient');
    });

    it('follows a chain of causes', () => {
      const error = new Error('batch failed', {
        cause: new Error('write failed', { cause: withCode('23502') }),
      });
      expect(classifyError(error)).to.equal('event-data');
    });

    it('lets the outer error decide when it has a hint of its own', () => {
      const error = Object.assign(new Error('outer', { cause: withCode('ECONNREFUSED') }), {
        code: '42501',
      });
      expect(classifyError(error)).to.equal('fatal');
    });

    it('calls an error whose cause is not an Error fatal', () => {
      expect(classifyError(new Error('x', { cause: 'ECONNREFUSED' }))).to.equal('fatal');
    });

    it('ends on an error that is its own cause, calling it fatal', () => {
      const error = new Error('loop');
      error.cause = error;
      let kind: string | undefined;
      expect(() => (kind = classifyError(error))).to.not.throw();
      expect(kind).to.equal('fatal');
    });
  });

  describe('values that are not errors', () => {
    for (const [description, value] of [
      ['a string', 'ECONNREFUSED'],
      ['undefined', undefined],
      ['null', null],
      ['a plain object with a transient code', { code: 'ECONNREFUSED' }],
      ['a plain object marked retriable', { retriable: true }],
    ] as const) {
      it(`calls ${description} fatal`, () => {
        expect(classifyError(value)).to.equal('fatal');
      });
    }
  });
});

describe('classifyError on Kafka errors as kafkajs builds them', () => {
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
    it(`calls ${type} group churn, also when kafkajs wraps it`, () => {
      const error = kafkaProtocolError(type);
      expect(error.name).to.equal('KafkaJSProtocolError');
      expect(classifyError(error)).to.equal('group-churn');
      expect(classifyError(asNonRetriable(error))).to.equal('group-churn');
      expect(classifyError(asRetriesExceeded(error))).to.equal('group-churn');
      expect(isRecoverable(classifyError(error))).to.equal(true);
    });
  }

  it('knows that kafkajs marks rebalance, generation and membership errors not retriable', () => {
    for (const type of ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']) {
      expect(kafkaProtocolError(type).retriable, type).to.equal(false);
    }
  });

  it('calls a retriable broker error transient', () => {
    expect(classifyError(kafkaProtocolError('LEADER_NOT_AVAILABLE'))).to.equal('transient');
    expect(classifyError(kafkaProtocolError('REQUEST_TIMED_OUT'))).to.equal('transient');
  });

  it('calls setup errors fatal: no rejoin cures them', () => {
    for (const type of [
      'GROUP_AUTHORIZATION_FAILED',
      'TOPIC_AUTHORIZATION_FAILED',
      'INVALID_GROUP_ID',
      'INCONSISTENT_GROUP_PROTOCOL',
    ]) {
      expect(classifyError(kafkaProtocolError(type)), type).to.equal('fatal');
      expect(isRecoverable(classifyError(kafkaProtocolError(type))), type).to.equal(false);
    }
  });
});

describe('classifyError on Kafka errors as @platformatic/kafka builds them', () => {
  // A broker's error response, as the client throws it: the response's errors, each a
  // ProtocolError named by Kafka's own name for the code (OffsetCommit is API 8).
  const response = (id: string) =>
    new ResponseError(8, 9, { '/topics/0/partitions/0': [codeOf(id), null] }, {});
  const codeOf = (id: string) =>
    (new ProtocolError(id) as ProtocolError & { apiCode: number }).apiCode;

  for (const id of [
    'REBALANCE_IN_PROGRESS',
    'ILLEGAL_GENERATION',
    'UNKNOWN_MEMBER_ID',
    'NOT_COORDINATOR',
    'COORDINATOR_NOT_AVAILABLE',
    'COORDINATOR_LOAD_IN_PROGRESS',
  ]) {
    it(`calls ${id} group churn, alone, in a broker response and after the client's retries`, () => {
      expect(classifyError(new ProtocolError(id))).to.equal('group-churn');
      expect(classifyError(response(id))).to.equal('group-churn');
      const retried = new MultipleErrors('retries exhausted', [response(id), response(id)]);
      expect(classifyError(retried)).to.equal('group-churn');
    });
  }

  it('calls a lost connection and a timed-out request transient, also after the retries', () => {
    expect(classifyError(new NetworkError('Connection closed'))).to.equal('transient');
    expect(classifyError(new TimeoutError('Request timed out'))).to.equal('transient');
    const retried = new MultipleErrors('retries exhausted', [
      new NetworkError('Connection closed'),
      new TimeoutError('Request timed out'),
    ]);
    expect(classifyError(retried)).to.equal('transient');
  });

  it('calls a retriable broker error transient', () => {
    expect(classifyError(new ProtocolError('NOT_LEADER_OR_FOLLOWER'))).to.equal('transient');
    expect(classifyError(response('REQUEST_TIMED_OUT'))).to.equal('transient');
  });

  it('calls retries group churn when any attempt met the group changing', () => {
    const retried = new MultipleErrors('retries exhausted', [
      new NetworkError('Connection closed'),
      response('REBALANCE_IN_PROGRESS'),
    ]);
    expect(classifyError(retried)).to.equal('group-churn');
  });

  it('calls retries without any attempt fatal, and ends on retries that contain themselves', () => {
    expect(classifyError(new MultipleErrors('nothing tried', []))).to.equal('fatal');
    const looped = new MultipleErrors('retries exhausted', []);
    looped.errors.push(looped, new NetworkError('Connection closed'));
    expect(classifyError(looped)).to.equal('fatal');
  });

  it('calls setup errors fatal, and retries that mix one in', () => {
    for (const id of [
      'GROUP_AUTHORIZATION_FAILED',
      'TOPIC_AUTHORIZATION_FAILED',
      'INVALID_GROUP_ID',
    ])
      expect(classifyError(response(id)), id).to.equal('fatal');
    const mixed = new MultipleErrors('retries exhausted', [
      new NetworkError('Connection closed'),
      response('TOPIC_AUTHORIZATION_FAILED'),
    ]);
    expect(classifyError(mixed)).to.equal('fatal');
  });
});
