// The Node the README asks for is what the dependencies need: every package of the lock, and the
// project's own `engines`, accept the lowest version of each supported line, so `npm ci` on a
// supported Node prints no EBADENGINE warning. (The install itself, with npm 12 on Node 24, is
// test/integration/install/npm-ci.test.ts.) Read on paper: no install, no network.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import semver from 'semver';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const readJson = async <T>(file: string) =>
  JSON.parse(await readFile(join(repoRoot, file), 'utf8')) as T;

interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
}

/** The lowest release of each line the README names ("Node.js 22.22+ or 24.11+"). */
async function supportedMinimums(): Promise<string[]> {
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const requirement = /\*\*Requires:\*\* Node\.js (\d+\.\d+)\+ or (\d+\.\d+)\+/.exec(readme);
  expect(requirement, "README's Requires line").to.not.equal(null);
  return [`${requirement?.[1]}.0`, `${requirement?.[2]}.0`];
}

describe('the Node versions the project supports', () => {
  it("are what package.json's engines accepts, and nothing older", async () => {
    const { engines } = await readJson<{ engines: { node: string } }>('package.json');
    for (const version of await supportedMinimums()) {
      expect(semver.satisfies(version, engines.node), version).to.equal(true);
    }
    expect(semver.satisfies('20.20.0', engines.node), 'Node 20 is past its end of life').to.equal(
      false,
    );
  });

  for (const lockFile of ['package-lock.json', 'tools/mutation/package-lock.json']) {
    it(`satisfy every package of ${lockFile}`, async () => {
      const { packages } = await readJson<{ packages: Record<string, LockEntry> }>(lockFile);
      const minimums = await supportedMinimums();
      const refusing = Object.entries(packages).flatMap(([path, { version, engines }]) => {
        const range = Array.isArray(engines) ? undefined : engines?.node;
        if (range === undefined) return [];
        return minimums
          .filter((node) => !semver.satisfies(node, range))
          .map((node) => `${path || 'the project'}@${version ?? ''} wants ${range}, not ${node}`);
      });
      expect(refusing).to.deep.equal([]);
    });
  }
});
