// What @platformatic/kafka's errors mean to the service, on the client's own error classes: a
// broker's error response as the client throws it, its retries given up (MultipleErrors), its
// network errors, and the adapter's GroupChangedError.
import {
  AuthenticationError,
  MultipleErrors,
  NetworkError,
  ProtocolError,
  ResponseError,
  TimeoutError,
  UserError,
} from '@platformatic/kafka';
import { expect } from 'chai';
import {
  brokerLeft,
  platformaticFailureKind,
} from '../../../../src/adapters/platformatic/failure-kind.ts';
import { GroupChangedError } from '../../../../src/adapters/platformatic/group-changed-error.ts';
import { classifyError, isRecoverable } from '../../../../src/domain/errors/classify-error.ts';

const classify = (error: unknown) => classifyError(error, [platformaticFailureKind]);

// A broker's error response, as the client throws it: the response's errors, each a
// ProtocolError named by Kafka's own name for the code (OffsetCommit is API 8).
const codeOf = (id: string) =>
  (new ProtocolError(id) as ProtocolError & { apiCode: number }).apiCode;
const response = (id: string) =>
  new ResponseError(8, 9, { '/topics/0/partitions/0': [codeOf(id), null] }, {});
const retried = (...attempts: Error[]) => new MultipleErrors('retries exhausted', attempts);

describe('the platformatic adapter reads its errors', () => {
  it("calls its own GroupChangedError group churn by its kind, posing as no broker's error", () => {
    const error = new GroupChangedError();
    expect(error).to.not.have.property('apiId');
    expect(platformaticFailureKind(error)).to.equal('group-churn');
    expect(isRecoverable(classify(error))).to.equal(true);
  });

  for (const id of ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']) {
    it(`calls ${id} (the client marks it needsRejoin) group churn, alone, in a response and after retries`, () => {
      expect(new ProtocolError(id)).to.have.property('needsRejoin', true);
      expect(classify(new ProtocolError(id))).to.equal('group-churn');
      expect(classify(response(id))).to.equal('group-churn');
      expect(classify(retried(response(id), response(id)))).to.equal('group-churn');
    });
  }

  for (const id of [
    'NOT_COORDINATOR',
    'COORDINATOR_NOT_AVAILABLE',
    'COORDINATOR_LOAD_IN_PROGRESS',
  ]) {
    it(`calls ${id} (the coordinator moving: retriable to the client) group churn`, () => {
      expect(new ProtocolError(id)).to.have.property('canRetry', true);
      expect(classify(new ProtocolError(id))).to.equal('group-churn');
      expect(classify(retried(response(id)))).to.equal('group-churn');
    });
  }

  it('calls retries group churn when any attempt met the group changing', () => {
    const mixed = retried(new NetworkError('Connection closed'), response('REBALANCE_IN_PROGRESS'));
    expect(classify(mixed)).to.equal('group-churn');
  });

  it('calls a lost connection and a timed-out request transient, also after the retries', () => {
    expect(classify(new NetworkError('Connection closed'))).to.equal('transient');
    // The client marks a timeout not retriable, but under its network code: the broker may answer.
    expect(new TimeoutError('Request timed out')).to.have.property('canRetry', false);
    expect(classify(new TimeoutError('Request timed out'))).to.equal('transient');
    const attempts = retried(
      new NetworkError('Connection closed'),
      new TimeoutError('Request timed out'),
    );
    expect(classify(attempts)).to.equal('transient');
  });

  it('calls a broker error the client may retry transient', () => {
    expect(classify(new ProtocolError('NOT_LEADER_OR_FOLLOWER'))).to.equal('transient');
    expect(classify(response('REQUEST_TIMED_OUT'))).to.equal('transient');
  });

  it('calls retries without any attempt fatal, and ends on retries that contain themselves', () => {
    expect(classify(retried())).to.equal('fatal');
    const looped = retried();
    looped.errors.push(looped, new NetworkError('Connection closed'));
    expect(classify(looped)).to.equal('fatal');
  });

  it('calls a fetch to a broker the metadata no longer lists transient, also after network errors', () => {
    // What the failover test's consumer died of, before: two attempts that could not connect to
    // the killed leader, then the client's own error once the refreshed metadata dropped it.
    const gone = new UserError('Cannot find broker with node id 3');
    expect(classify(gone)).to.equal('transient');
    const fetchFailed = retried(
      new NetworkError('Connection closed'),
      new NetworkError('Connection closed'),
      gone,
    );
    expect(classify(fetchFailed)).to.equal('transient');
    expect(isRecoverable(classify(fetchFailed))).to.equal(true);
    // The client's other UserErrors are setup or programming mistakes.
    expect(classify(new UserError('Specified partition(s) not found in topic t'))).to.equal(
      'fatal',
    );
    expect(classify(new UserError('Cannot find broker with node id 3 or 4'))).to.equal('fatal');
  });

  it('calls setup errors fatal, and retries that mix one in', () => {
    for (const id of [
      'GROUP_AUTHORIZATION_FAILED',
      'TOPIC_AUTHORIZATION_FAILED',
      'INVALID_GROUP_ID',
    ])
      expect(classify(response(id)), id).to.equal('fatal');
    const mixed = retried(
      new NetworkError('Connection closed'),
      response('TOPIC_AUTHORIZATION_FAILED'),
    );
    expect(classify(mixed)).to.equal('fatal');
    expect(classify(new AuthenticationError('SASL authentication failed'))).to.equal('fatal');
  });

  it("leaves errors that are not the client's to the other edges", () => {
    expect(platformaticFailureKind(new Error('Connection terminated'))).to.equal(undefined);
    const lookalike = Object.assign(new Error('x'), {
      apiId: 'REBALANCE_IN_PROGRESS',
      canRetry: true,
      code: 'PLT_KFK_NETWORK',
    });
    expect(platformaticFailureKind(lookalike)).to.equal(undefined);
  });
});

// After such a failure the group consumer reads on from a new stream instead of restarting the
// member; after any other it restarts it (group-consumer.ts; the cluster failover test is the
// end-to-end check).
describe('what the platformatic adapter calls a broker leaving', () => {
  it('calls a broker that no longer leads the partition one, alone, in a response and after retries', () => {
    for (const id of ['NOT_LEADER_OR_FOLLOWER', 'LEADER_NOT_AVAILABLE', 'FENCED_LEADER_EPOCH']) {
      expect(brokerLeft(new ProtocolError(id)), id).to.equal(true);
      expect(brokerLeft(response(id)), id).to.equal(true);
      expect(brokerLeft(retried(response(id), new NetworkError('Connection closed'))), id).to.equal(
        true,
      );
    }
  });

  it('calls a broker the metadata no longer lists one', () => {
    const gone = new UserError('Cannot find broker with node id 2');
    expect(brokerLeft(gone)).to.equal(true);
    expect(brokerLeft(retried(new TimeoutError('Request timed out'), gone))).to.equal(true);
    expect(brokerLeft(new UserError('Unknown topic t.'))).to.equal(false);
  });

  it('calls a connection lost or refused one, also after the retries', () => {
    const refused = new NetworkError('Connection failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), {
        code: 'ECONNREFUSED',
      }),
    });
    expect(brokerLeft(refused)).to.equal(true);
    expect(brokerLeft(retried(new NetworkError('Connection closed'), refused))).to.equal(true);
  });

  it('does not call a timeout one (on a busy machine it is the machine), nor group churn', () => {
    expect(brokerLeft(new TimeoutError('Request timed out'))).to.equal(false);
    expect(brokerLeft(retried(new TimeoutError('Request timed out')))).to.equal(false);
    expect(brokerLeft(response('REBALANCE_IN_PROGRESS'))).to.equal(false);
    expect(brokerLeft(new GroupChangedError())).to.equal(false);
  });

  it("does not call errors that are not the client's one, whatever they carry", () => {
    expect(brokerLeft(new Error('Connection closed'))).to.equal(false);
    expect(
      brokerLeft(
        Object.assign(new Error('x'), { hasStaleMetadata: true, code: 'PLT_KFK_NETWORK' }),
      ),
    ).to.equal(false);
  });
});
