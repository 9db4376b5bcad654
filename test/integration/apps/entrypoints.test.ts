// Every entrypoint as a user runs it: --help answers with the usage and exit 0, a wrong argument
// with one line, the usage and exit 2, and both happen before the configuration is read or
// anything is connected to. The environment here is broken on purpose (an invalid LOG_LEVEL,
// nothing listening at the addresses) so that reading it, or connecting, would show as exit 1 or
// a hang instead of passing.
import { expect } from 'chai';
import { runScript } from '../../support/run-script.ts';

const entrypoints: [script: string, usage: RegExp, badArgs: string[]][] = [
  ['src/apps/producer/main.ts', /^usage: npm run producer/, ['--schema', 'v3']],
  ['src/apps/consumer/main.ts', /^usage: npm run consumer/, ['--group', 'x']],
  ['src/apps/replay/main.ts', /^usage: npm run replay/, ['--from', 'yesterday']],
  ['src/apps/redrive/main.ts', /^usage: npm run dlq:redrive/, ['--code', 'NOPE']],
  ['bench/main.ts', /^usage: npm run bench/, ['--events', 'many']],
  ['stack/up.ts', /^usage: npm run stack:up/, ['--force']],
  ['stack/down.ts', /^usage: npm run stack:down/, ['all']],
  ['stack/status.ts', /^usage: npm run stack:status/, ['-v']],
  ['stack/postgres/migrate.ts', /^usage: npm run db:migrate\n/, ['--to', '2']],
  ['stack/postgres/migrate-down.ts', /^usage: npm run db:migrate:down/, ['--all']],
  ['stack/backend.ts', /^usage: npm run backend:old/, ['--count', '5']],
  ['stack/postgres/rows.ts', /^usage: npm run db:rows/, ['--limit', '0']],
];

const unusable = {
  LOG_LEVEL: 'not-a-level',
  DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
  KAFKA_BROKERS: '127.0.0.1:1',
};

async function run(script: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const started = runScript(script, args, unusable);
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 30_000);
  const code = await started.exited;
  clearTimeout(timer);
  return { code, out: started.output() };
}

describe('entrypoints on the command line', function () {
  this.timeout(60_000);

  // -h is --help's alias in parseArgsOrExit for every entrypoint (its unit test); one shows it.
  it('prints the usage for -h as for --help', async () => {
    const { code, out } = await run('src/apps/producer/main.ts', ['-h']);
    expect(code, out).to.equal(0);
    expect(out).to.match(/^usage: npm run producer/);
  });

  for (const [script, usage, badArgs] of entrypoints) {
    describe(script, () => {
      it('prints its usage for --help and exits 0', async () => {
        const { code, out } = await run(script, ['--help']);
        expect(code, out).to.equal(0);
        expect(out).to.match(usage).and.to.include('-h, --help');
      });

      it(`says what is wrong with ${badArgs.join(' ')} in one line, then the usage, and exits 2`, async () => {
        const { code, out } = await run(script, badArgs);
        expect(code, out).to.equal(2);
        const [first = '', second = ''] = out.split('\n');
        expect(first).to.include(badArgs[0]?.replace(/^-+/, '') ?? '');
        expect(first).to.not.match(/^\s+at /);
        expect(`${second}\n`).to.match(usage);
        expect(out).to.not.include('Configuration error');
      });
    });
  }
});
