// `npm run db:migration:create -- <name>` as a developer runs it: the project's own help, and a
// migration that passes `npm run lint`, sets lock_timeout as every migration does, and runs up and
// down on a real Postgres. It passes lint because it is the stub, byte for byte, and the stub is a
// file of the project that `npm run lint` and tsc check (running type-aware eslint here again cost
// a minute of the suite).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { expect } from 'chai';
import knexFactory from 'knex';
import { randomBytes } from 'node:crypto';
import { createMigration } from '../../../stack/postgres/migration-create.ts';
import { knexConfig, migrationsConfig } from '../../../src/storage/knex-config.ts';
import { runNpmScript } from '../../support/run-npm-script.ts';
import { createScratchDatabase } from '../../support/scratch-database.ts';
import { testServices } from '../../support/services.ts';

describe('npm run db:migration:create', function () {
  this.timeout(120_000);

  it("answers --help with the project's usage, not knex's", async () => {
    const { code, output } = await runNpmScript('db:migration:create', {}, ['--help']);
    expect(code).to.equal(0);
    expect(output).to.match(/^usage: npm run db:migration:create -- <name>/);
    expect(output).to.include('.ts').and.not.include('default is js');
  });

  it('writes a migration that passes lint, sets lock_timeout, and runs up and down', async () => {
    // Not in migrations/ itself: suites run side by side, and a migration there for a moment
    // would be applied (or found missing) by another test's db:migrate.
    const alone = await mkdtemp(join(tmpdir(), 'migration-create-'));
    const path = await createMigration(`it_stub_${randomBytes(4).toString('hex')}`, alone);
    const scratch = await createScratchDatabase((await testServices()).databaseUrl);
    try {
      expect(basename(path)).to.match(/^\d{14}_it_stub_[0-9a-f]{8}\.ts$/);
      const written = await readFile(path, 'utf8');
      expect(written).to.equal(await readFile(migrationsConfig.stub, 'utf8'));
      expect(written).to.include("SET LOCAL lock_timeout = '${lockTimeout}'");

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
      await rm(alone, { recursive: true, force: true });
      await scratch.drop();
    }
  });
});
