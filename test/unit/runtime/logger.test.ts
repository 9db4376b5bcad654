import { expect } from 'chai';
import { createLogger, errorFields } from '../../../src/runtime/logger.ts';

// What the console transport would print for one entry, without printing it.
function rendered(format: 'json' | 'pretty' | 'auto'): string {
  const logger = createLogger('info', format);
  const entry = { level: 'info', message: 'stored', count: 3, [Symbol.for('level')]: 'info' };
  const info = logger.format.transform(entry);
  if (info === false) throw new Error('the entry was filtered out');
  return String((info as unknown as Record<symbol, unknown>)[Symbol.for('message')]);
}

describe('createLogger', () => {
  it('writes JSON lines for LOG_FORMAT=json', () => {
    expect(JSON.parse(rendered('json'))).to.include({ level: 'info', message: 'stored', count: 3 });
  });

  it('writes a readable line for LOG_FORMAT=pretty, even without a terminal', () => {
    const line = rendered('pretty');
    expect(() => JSON.parse(line) as unknown).to.throw();
    expect(line).to.match(/info.* stored \{"count":3\}$/);
  });

  it('decides by the terminal for LOG_FORMAT=auto (under mocha stdout may be either)', () => {
    const line = rendered('auto');
    if (process.stdout.isTTY) expect(line).to.match(/ stored /);
    else expect(JSON.parse(line)).to.include({ message: 'stored' });
  });
});

describe('errorFields', () => {
  it('lists the attempts of a client that gave up, and the errors of a response among them', () => {
    const response = Object.assign(
      new AggregateError(
        [Object.assign(new Error('not the leader'), { code: 'PLT_KFK_PROTOCOL' })],
        'Received response with error while executing API Fetch(v17)',
      ),
      { code: 'PLT_KFK_RESPONSE' },
    );
    const attempts = [
      new Error('Connection closed'),
      response,
      new Error('Cannot find broker with node id 3'),
    ];
    const { err } = errorFields(new AggregateError(attempts, 'fetch failed 3 times.'));
    expect(err.message).to.equal('fetch failed 3 times.');
    expect(err.inner).to.deep.equal([
      { name: 'Error', message: 'Connection closed' },
      {
        name: 'AggregateError',
        message: 'Received response with error while executing API Fetch(v17)',
        code: 'PLT_KFK_RESPONSE',
      },
      { name: 'Error', message: 'not the leader', code: 'PLT_KFK_PROTOCOL' },
      { name: 'Error', message: 'Cannot find broker with node id 3' },
    ]);
  });

  it("lists no cause (a database error's message can quote a row's value: debug only)", () => {
    const pg = new Error('invalid input syntax for type numeric: "12,5"');
    expect(errorFields(new Error('write failed', { cause: pg })).err).to.not.have.property('inner');
    expect(errorFields(new Error('plain')).err).to.not.have.property('inner');
  });

  it('ends on attempts that contain themselves, and lists at most 10', () => {
    const looped = new AggregateError([], 'retries');
    looped.errors.push(looped, new Error('once'));
    expect(errorFields(looped).err.inner).to.deep.equal([{ name: 'Error', message: 'once' }]);
    const many = new AggregateError(
      Array.from({ length: 30 }, (_, n) => new Error(`attempt ${n}`)),
      'many',
    );
    expect(errorFields(many).err.inner).to.have.length(10);
  });

  it('passes the attempts through the redactor', () => {
    const logger = createLogger('info', 'json');
    const attempt = new Error('cannot reach postgres://app:hunter2@db:5432/events');
    const entry = {
      level: 'error',
      message: 'failed',
      ...errorFields(new AggregateError([attempt], 'connect failed 1 time.')),
      [Symbol.for('level')]: 'error',
    };
    const info = logger.format.transform(entry);
    if (info === false) throw new Error('the entry was filtered out');
    const line = String((info as unknown as Record<symbol, unknown>)[Symbol.for('message')]);
    expect(line).to.include('postgres://app:<redacted>@db:5432/events');
    expect(line).to.not.include('hunter2');
  });
});
