import { expect } from 'chai';
import {
  backoffDelayMs,
  retryTransient,
  type RetryControl,
} from '../../../src/runtime/retry-transient.ts';
import {
  classifyError,
  type FailureKind,
  type FailureKindOf,
} from '../../../src/domain/errors/classify-error.ts';

/** An error an edge has read as `kind` (what each edge reads is tested beside it). */
class ReadError extends Error {
  readonly kind: FailureKind;
  constructor(kind: FailureKind) {
    super(kind);
    this.kind = kind;
  }
}
const edge: FailureKindOf = (error) => (error instanceof ReadError ? error.kind : undefined);
const connectionRefused = () => new ReadError('transient');

const maxRetriesUnderTest = 20;

function control(overrides: Partial<RetryControl> = {}) {
  const calls = { keepAlive: 0, retries: [] as number[] };
  const value: RetryControl = {
    classify: (error) => classifyError(error, [edge]),
    keepAlive: () => {
      calls.keepAlive += 1;
      return Promise.resolve();
    },
    // Capped: a failure wrongly taken for transient must fail the test, not retry for ever and
    // keep mocha from exiting after the suite.
    shouldContinue: () => calls.retries.length < maxRetriesUnderTest,
    onRetry: (_error, attempt) => calls.retries.push(attempt),
    initialDelayMs: 1,
    maxDelayMs: 4,
    ...overrides,
  };
  return { value, calls };
}

describe('retryTransient', () => {
  it('returns the result of an operation that succeeds at once, without retrying', async () => {
    const { value, calls } = control();
    expect(await retryTransient(() => Promise.resolve(42), value)).to.deep.equal({
      done: true,
      value: 42,
    });
    expect(calls.retries).to.deep.equal([]);
  });

  it('retries a transient failure until the operation succeeds, heartbeating between attempts', async () => {
    const { value, calls } = control();
    let attempts = 0;
    const result = await retryTransient(() => {
      attempts += 1;
      return attempts < 4 ? Promise.reject(connectionRefused()) : Promise.resolve('stored');
    }, value);
    expect(result).to.deep.equal({ done: true, value: 'stored' });
    expect(calls.retries).to.deep.equal([1, 2, 3]);
    expect(calls.keepAlive).to.be.at.least(3);
  });

  it('rethrows a programming error at once, never retrying it', async () => {
    const { value, calls } = control();
    let failure: unknown;
    await retryTransient(() => Promise.reject(new TypeError('x is undefined')), value).catch(
      (error: unknown) => {
        failure = error;
      },
    );
    expect(failure).to.be.instanceOf(TypeError);
    expect(calls.retries).to.deep.equal([]);
  });

  it('rethrows a data error for the caller to isolate', async () => {
    const { value } = control();
    const tooLong = new ReadError('refused-by-database');
    let failure: unknown;
    await retryTransient(() => Promise.reject(tooLong), value).catch((error: unknown) => {
      failure = error;
    });
    expect(failure).to.equal(tooLong);
  });

  it('gives up without a result once the consumer stops or the batch goes stale', async () => {
    let running = true;
    const { value } = control({ shouldContinue: () => running });
    const result = await retryTransient(() => {
      running = false;
      return Promise.reject(connectionRefused());
    }, value);
    expect(result).to.deep.equal({ done: false });
  });

  it('stops retrying when a heartbeat fails (a rebalance), passing that error on', async () => {
    const rebalancing = new ReadError('group-churn');
    const { value } = control({ keepAlive: () => Promise.reject(rebalancing) });
    let failure: unknown;
    await retryTransient(() => Promise.reject(connectionRefused()), value).catch(
      (error: unknown) => {
        failure = error;
      },
    );
    expect(failure).to.equal(rebalancing);
  });

  it('does not retry an operation that failed with group churn (a heartbeat while isolating rows)', async () => {
    const { value, calls } = control();
    const coordinatorMoved = new ReadError('group-churn');
    let attempts = 0;
    const failure = await retryTransient(() => {
      attempts += 1; // a retry would succeed: the test ends either way
      return attempts === 1 ? Promise.reject(coordinatorMoved) : Promise.resolve('stored');
    }, value).catch((error: unknown) => error);
    expect(failure).to.equal(coordinatorMoved);
    expect(attempts).to.equal(1);
    expect(calls.retries).to.deep.equal([]);
  });

  it('asks the classifier it is given, retrying only what it calls transient', async () => {
    const seen: unknown[] = [];
    const { value, calls } = control({
      classify: (error) => {
        seen.push(error);
        return 'fatal';
      },
    });
    const refused = connectionRefused();
    const failure = await retryTransient(() => Promise.reject(refused), value).catch(
      (error: unknown) => error,
    );
    expect(failure).to.equal(refused);
    expect(seen).to.deep.equal([refused]);
    expect(calls.retries).to.deep.equal([]);
  });
});

describe('backoffDelayMs', () => {
  it('grows exponentially from the initial delay, with jitter between half and all of it', () => {
    expect(backoffDelayMs(1, 100, 3000, () => 0)).to.equal(50);
    expect(backoffDelayMs(1, 100, 3000, () => 1)).to.equal(100);
    expect(backoffDelayMs(3, 100, 3000, () => 1)).to.equal(400);
  });

  it('never exceeds the maximum delay', () => {
    expect(backoffDelayMs(30, 100, 3000, () => 1)).to.equal(3000);
    expect(backoffDelayMs(30, 100, 3000, () => 0)).to.equal(1500);
  });
});
