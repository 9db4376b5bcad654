import { execFile } from 'node:child_process';
import { access, constants, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const kafkaPomPath = resolve(import.meta.dirname, 'pom.xml');
// The Maven Wrapper (script only, Maven 3.9 pinned in .mvn/wrapper/maven-wrapper.properties), for
// machines with Java and no Maven: it fetches Maven itself from Maven Central into ~/.m2/wrapper.
export const mavenWrapperPath = resolve(import.meta.dirname, 'mvnw');

const markerFileName = '.complete';
const pinnedDependencyPlugin = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

export const missingToolsMessage =
  'Java 17+ is needed to run the local Kafka broker: install it ' +
  '(e.g. apt-get install openjdk-17-jre-headless), or use `docker compose up -d --wait`';

export interface KafkaJars {
  version: string;
  /** Directory holding the broker's runtime classpath; pass `<libsDir>/*` to java -cp. */
  libsDir: string;
  fetched: boolean;
}

/** The pom is the single place the Kafka version is pinned. */
export async function kafkaVersion(): Promise<string> {
  const pom = await readFile(kafkaPomPath, 'utf8');
  const match = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(pom);
  if (!match?.[1]) throw new Error(`no <kafka.version> property in ${kafkaPomPath}`);
  return match[1];
}

async function onPath(command: string): Promise<boolean> {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** Throws missingToolsMessage unless `java` (major version >= 17) is on PATH. */
export async function assertJava17(): Promise<void> {
  let versionText: string;
  try {
    // `java -version` prints to stderr.
    const { stdout, stderr } = await execFileAsync('java', ['-version']);
    versionText = stderr + stdout;
  } catch {
    throw new Error(missingToolsMessage);
  }
  const major = Number(/version "(\d+)/.exec(versionText)?.[1] ?? 0);
  if (major < 17)
    throw new Error(`${missingToolsMessage} (found Java ${major || 'of unknown version'})`);
}

/** The machine's Maven where there is one (its settings, mirrors and proxies apply), else the wrapper. */
async function mavenCommand(): Promise<string> {
  return (await onPath('mvn')) ? 'mvn' : mavenWrapperPath;
}

function processOutput(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const { stdout, stderr } = error as { stdout?: unknown; stderr?: unknown };
  return `${typeof stdout === 'string' ? stdout : ''}${typeof stderr === 'string' ? stderr : ''}`;
}

async function isComplete(libsDir: string, version: string): Promise<boolean> {
  try {
    return (await readFile(join(libsDir, markerFileName), 'utf8')).trim() === version;
  } catch {
    return false;
  }
}

/**
 * Makes sure `<cacheDir>/libs-<version>` holds the broker's classpath, fetching it with Maven when it
 * is missing or was left incomplete. Maven itself caches downloads in ~/.m2, so a refetch after a
 * version bump only downloads what changed.
 */
export async function ensureKafkaJars(opts: {
  cacheDir: string;
  /** Told once when a fetch starts (it takes a minute or more); default: a line on stderr. */
  onFetch?: (line: string) => void;
}): Promise<KafkaJars> {
  await assertJava17();
  const version = await kafkaVersion();
  const libsDir = join(opts.cacheDir, `libs-${version}`);
  if (await isComplete(libsDir, version)) return { version, libsDir, fetched: false };

  const maven = await mavenCommand();
  // The only wait of more than seconds on a first run: say so instead of staying silent.
  const tell = opts.onFetch ?? ((line: string) => process.stderr.write(`${line}\n`));
  tell(`fetching Kafka ${version} jars, first run only …`);
  // Copy into a scratch dir and rename, so an interrupted fetch never looks complete and stale jars
  // from an earlier attempt never end up on the classpath.
  const scratchDir = `${libsDir}.partial-${process.pid}`;
  await rm(scratchDir, { recursive: true, force: true });
  await mkdir(opts.cacheDir, { recursive: true });
  try {
    await execFileAsync(
      maven,
      [
        '-q',
        '-B',
        '-Dstyle.color=never',
        '-f',
        kafkaPomPath,
        `${pinnedDependencyPlugin}:copy-dependencies`,
        '-DincludeScope=runtime',
        `-DoutputDirectory=${scratchDir}`,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    await rm(scratchDir, { recursive: true, force: true });
    const tail = processOutput(error).trim().split('\n').slice(-20).join('\n');
    const how = maven === 'mvn' ? 'Maven' : 'the Maven Wrapper (stack/kafka/mvnw)';
    throw new Error(
      `fetching Kafka ${version} jars with ${how} failed${tail ? `:\n${tail}` : ''}`,
      {
        cause: error,
      },
    );
  }
  await writeFile(join(scratchDir, markerFileName), `${version}\n`);
  await rm(libsDir, { recursive: true, force: true });
  await rename(scratchDir, libsDir);
  return { version, libsDir, fetched: true };
}
