import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { consumerNodeFlags } from '../../../../src/apps/consumer/node-flags.ts';

describe('the consumer node flags', () => {
  it('are the ones `npm run consumer` starts it with', () => {
    const packageJson = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', '..', '..', 'package.json'), 'utf8'),
    ) as { scripts: Record<string, string> };
    expect(packageJson.scripts['consumer']).to.equal(
      `node ${consumerNodeFlags.join(' ')} src/apps/consumer/main.ts`,
    );
  });
});
