import { expect } from 'chai';
import { createLogger } from '../../../src/runtime/logger.ts';

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
