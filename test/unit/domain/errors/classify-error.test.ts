// The classifier's own rules, which hold for every error whatever library threw it. What a
// library's errors mean is each edge's business, tested with its real error classes beside it
// (test/unit/adapters/*/failure-kind.test.ts, test/unit/storage/database-failure-kind.test.ts).
import { expect } from 'chai';
import {
  classifyError,
  failureClassifier,
  isRecoverable,
  type FailureKind,
  type FailureKindOf,
} from '../../../../src/domain/errors/classify-error.ts';
import { ServiceError } from '../../../../src/domain/errors/error-codes.ts';

/** An edge that knows the errors carrying `kind` as their message, and nothing else. */
class EdgeError extends Error {}
const byMessage: FailureKindOf = (error) =>
  error instanceof EdgeError ? (error.message as FailureKind) : undefined;
const edgeError = (kind: FailureKind, options?: ErrorOptions) => new EdgeError(kind, options);

describe('classifyError', () => {
  describe('programming errors', () => {
    it('calls a TypeError, ReferenceError, RangeError and SyntaxError fatal', () => {
      for (const error of [
        new TypeError("Cannot read properties of undefined (reading 'x')"),
        new ReferenceError('x is not defined'),
        new RangeError('Invalid array length'),
        new SyntaxError('Unexpected token'),
      ])
        expect(classifyError(error, [byMessage]), error.name).to.equal('fatal');
    });

    it('calls a TypeError fatal before any edge is asked', () => {
      let asked = false;
      const transientForAll: FailureKindOf = () => {
        asked = true;
        return 'transient';
      };
      expect(classifyError(new TypeError('x'), [transientForAll])).to.equal('fatal');
      expect(asked).to.equal(false);
    });

    it('calls a programming error fatal also when it is the cause', () => {
      const error = new Error('write failed', { cause: new TypeError('x') });
      expect(classifyError(error, [])).to.equal('fatal');
    });
  });

  describe("the service's own errors", () => {
    it('calls a retryable service error transient and any other fatal, whatever the edges say', () => {
      const edges = [() => 'group-churn' as const];
      expect(classifyError(new ServiceError('KAFKA_UNREACHABLE', 'x'), edges)).to.equal(
        'transient',
      );
      expect(classifyError(new ServiceError('DATABASE_NOT_MIGRATED', 'x'), edges)).to.equal(
        'fatal',
      );
    });
  });

  describe('what the edges say', () => {
    for (const kind of ['transient', 'group-churn', 'refused-by-database', 'fatal'] as const) {
      it(`takes ${kind} from the edge that knows the error`, () => {
        expect(classifyError(edgeError(kind), [byMessage])).to.equal(kind);
      });
    }

    it('asks the edges in turn, the first that knows the error deciding', () => {
      const unknown: FailureKindOf = () => undefined;
      const churn: FailureKindOf = () => 'group-churn';
      expect(classifyError(new Error('x'), [unknown, churn, byMessage])).to.equal('group-churn');
    });

    it('calls an error no edge knows, without a cause, fatal', () => {
      expect(classifyError(new Error('something broke'), [byMessage])).to.equal('fatal');
      expect(classifyError(new Error('something broke'), [])).to.equal('fatal');
    });
  });

  describe('wrapped errors', () => {
    it('reads the cause of an error no edge knows, down a chain', () => {
      const error = new Error('batch failed', {
        cause: new Error('write failed', { cause: edgeError('refused-by-database') }),
      });
      expect(classifyError(error, [byMessage])).to.equal('refused-by-database');
    });

    it('lets the outer error decide when an edge knows it', () => {
      const error = edgeError('fatal', { cause: edgeError('transient') });
      expect(classifyError(error, [byMessage])).to.equal('fatal');
    });

    it('calls an error whose cause is not an Error fatal', () => {
      expect(classifyError(new Error('x', { cause: 'ECONNREFUSED' }), [byMessage])).to.equal(
        'fatal',
      );
    });

    it('ends on an error that is its own cause, calling it fatal', () => {
      const error = new Error('loop');
      error.cause = error;
      expect(classifyError(error, [byMessage])).to.equal('fatal');
    });
  });

  describe('several attempts (an AggregateError)', () => {
    it('calls them transient when every attempt was', () => {
      const attempts = new AggregateError([edgeError('transient'), edgeError('transient')]);
      expect(classifyError(attempts, [byMessage])).to.equal('transient');
    });

    it('calls them fatal when one attempt was not transient, or none was made', () => {
      const mixed = new AggregateError([edgeError('transient'), edgeError('fatal')]);
      expect(classifyError(mixed, [byMessage])).to.equal('fatal');
      expect(classifyError(new AggregateError([]), [byMessage])).to.equal('fatal');
    });

    it('ends on attempts that contain themselves, calling them fatal', () => {
      const looped = new AggregateError([edgeError('transient')]);
      looped.errors.push(looped);
      expect(classifyError(looped, [byMessage])).to.equal('fatal');
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
      it(`calls ${description} fatal, asking no edge`, () => {
        const asked: unknown[] = [];
        const edge: FailureKindOf = (error) => {
          asked.push(error);
          return 'transient';
        };
        expect(classifyError(value, [edge])).to.equal('fatal');
        expect(asked).to.deep.equal([]);
      });
    }
  });
});

describe('failureClassifier', () => {
  it('binds the edges once, for the callers that pass the classifier on', () => {
    const classify = failureClassifier(byMessage);
    expect(classify(edgeError('group-churn'))).to.equal('group-churn');
    expect(classify(new Error('x'))).to.equal('fatal');
  });
});

describe('isRecoverable', () => {
  it('carries on through passing failures and group churn, and stops on anything else', () => {
    expect(isRecoverable('transient')).to.equal(true);
    expect(isRecoverable('group-churn')).to.equal(true);
    expect(isRecoverable('refused-by-database')).to.equal(false);
    expect(isRecoverable('fatal')).to.equal(false);
  });
});
