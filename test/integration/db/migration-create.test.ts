// `npm run db:migration:create -- <name>` as a developer runs it: the project's own help, and a
// migration that passes `npm run lint`, sets lock_timeout as every migration does, and runs up and
// down on a real Postgres.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import knexFactory from 'knex';
import { randomBytes } from 'node:crypto';
import { createMigration } from '../../../stack/postgres/migration-create.ts';
import { knexConfig } from '../../../src/storage/knex-config.ts';
import { runNpmScript } from '../../support/run-npm-script.ts';
import { createScratchDatabase } from '../../support/scratch-database.ts';
import { testServices } from '../../support/services.ts';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const run = promisify(execFile);

describe('npm run db:migration:create', function () {
  this.timeout(120_000);

  it("answers --help with the project's usage, not knex's", async () => {
    const { code, output } = await runNpmScript('db:migration:create', {}, ['--help']);
    expect(code).to.equal(0);
    expect(output).to.match(/^usage: npm run db:migration:create -- <name>/);
    expect(output).to.include('.ts').and.not.include('default is js');
  });

  it('writes a migration that passes lint, sets lock_timeout, and runs up and down', async () => {
    // Inside the repository, where lint's type-aware rules see it as they would in migrations/
    // (in a folder whose name starts with no dot: TypeScript's include skips those), but not in
    // migrations/ itself: suites run side by side, and a stub there for a moment would be applied
    // (or found missing) by another test's db:migrate. Removed whatever happens.
    const inRepo = await mkdtemp(join(repoRoot, 'test', 'migration-create-'));
    const path = await createMigration(`it_stub_${randomBytes(4).toString('hex')}`, inRepo);
    const alone = await mkdtemp(join(tmpdir(), 'migration-create-'));
    const scratch = await createScratchDatabase((await testServices()).databaseUrl);
    try {
      expect(await readFile(path, 'utf8')).to.include("SET LOCAL lock_timeout = '${lockTimeout}'");
      await run('npx', ['eslint', path], { cwd: repoRoot });
      await run('npx', ['prettier', '--check', path], { cwd: repoRoot });

      await copyFile(path, join(alone, basename(path)));
      const db = knexFactory({
        ...knexConfig(scratch.url, 1),
        migrations: { directory: alone, loadExtensions: ['.ts'] },
      });
      try {
        await db.migrate.up();
        await db.migrate.down();
      } finally {
        await db.destroy();
      }
    } finally {
      await rm(inRepo, { recursive: true, force: true });
      await rm(alone, { recursive: true, force: true });
      await scratch.drop();
    }
  });
});
