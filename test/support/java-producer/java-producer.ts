// Runs JavaProducer.java (Kafka's own Java client) with a spec: the tests' way to write record
// batches as real producers write them (every codec, large batches, transactions with markers).
// The client jars are the broker's, fetched by the stack the way it fetches them to run the broker.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { defaultKafkaBrokerOptions, ensureKafkaJars } from '../../../stack/kafka/broker.ts';

export type JavaCompression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface JavaProducerConfig {
  readonly compressionType?: JavaCompression;
  readonly batchSize?: number;
  readonly lingerMs?: number;
  readonly maxRequestSize?: number;
  readonly bufferMemory?: number;
  /** Makes it a transactional producer (initTransactions is called at start). */
  readonly transactionalId?: string;
}

export interface JavaRecord {
  /** Default: the spec's topic. */
  readonly topic?: string;
  readonly partition?: number;
  readonly key?: string;
  readonly value?: string;
  /** Pads the value to this many bytes, in Java: with trailing spaces, or as fillAt says. */
  readonly padTo?: number;
  /**
   * Pads by replacing `placeholder` (a JSON string in the value, say "\"@fill\"") with an array of
   * `item` (say "{}") repeated up to padTo bytes: bytes the JSON parser must all build objects for.
   */
  readonly fillAt?: { readonly placeholder: string; readonly item: string };
  readonly headers?: Readonly<Record<string, string>>;
}

export type JavaStep =
  | { readonly producer?: number; readonly op: 'send'; readonly records: readonly JavaRecord[] }
  /** Sends what is buffered and waits for every acknowledgement: ends the record batches. */
  | { readonly producer?: number; readonly op: 'flush' }
  | { readonly producer?: number; readonly op: 'begin' | 'commit' }
  /** Flushes first, so the aborted records are in the log, then writes the abort markers. */
  | { readonly producer?: number; readonly op: 'abort' };

export interface JavaProducerSpec {
  readonly bootstrapServers: string;
  readonly topic: string;
  /** Steps name a producer by its index here (default 0). */
  readonly producers: readonly JavaProducerConfig[];
  readonly steps: readonly JavaStep[];
  /** Ask the broker, once everything is written, how many bytes the topic takes per partition. */
  readonly reportLogBytes?: boolean;
}

export interface JavaProducerResult {
  readonly sent: number;
  /** Partition → bytes on the broker's disk, when reportLogBytes was set. */
  readonly logBytes?: Readonly<Record<string, number>>;
}

const resultPrefix = 'java-producer-result ';
const programPath = join(import.meta.dirname, 'JavaProducer.java');

let libsDir: Promise<string> | undefined;
const clientLibsDir = () =>
  (libsDir ??= ensureKafkaJars({ cacheDir: defaultKafkaBrokerOptions.cacheDir }).then(
    (jars) => jars.libsDir,
  ));

/**
 * The program compiled once per source text, into `.cache/java-producer/<hash>`. Java 17's source
 * launcher compiled it in memory at every start (1-2 s of CPU each, dozens of runs per `npm test`)
 * and failed now and then inside its own launcher (`IllegalArgumentException: 0 > -7` in
 * `Main.execute`) with suites running side by side. Compiled into a fresh directory, then renamed
 * into place: workers that compile at once each finish, and one of them wins the rename.
 */
let classesDir: Promise<string> | undefined;
const compiledClassesDir = (libs: string) => (classesDir ??= compile(libs));

async function compile(libs: string): Promise<string> {
  const source = await readFile(programPath);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const cache = join(dirname(defaultKafkaBrokerOptions.cacheDir), 'java-producer');
  const dir = join(cache, hash);
  const compiled = () =>
    access(join(dir, 'JavaProducer.class')).then(
      () => true,
      () => false,
    );
  if (await compiled()) return dir;
  await mkdir(cache, { recursive: true });
  const fresh = await mkdtemp(join(cache, 'compiling-'));
  try {
    await promisify(execFile)('javac', ['-nowarn', '-cp', `${libs}/*`, '-d', fresh, programPath]);
    await rename(fresh, dir);
  } catch (error) {
    // Another worker's rename came first (the directory exists and is not empty): use its.
    if (!(await compiled())) throw error;
  } finally {
    await rm(fresh, { recursive: true, force: true });
  }
  return dir;
}

/** Runs the Java producer to the end; rejects with its stderr unless it exits 0. */
export async function runJavaProducer(spec: JavaProducerSpec): Promise<JavaProducerResult> {
  const libs = await clientLibsDir();
  const classpath = `${await compiledClassesDir(libs)}:${libs}/*`;
  const child = spawn('java', ['-cp', classpath, 'JavaProducer'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  child.stdin.end(JSON.stringify(spec));
  const code = await exited;
  if (code !== 0) {
    throw new Error(`JavaProducer exited with ${code}:\n${stderr.slice(-4000)}`);
  }
  const line = stdout.split('\n').find((text) => text.startsWith(resultPrefix));
  if (line === undefined)
    throw new Error(`JavaProducer printed no result:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice(resultPrefix.length)) as JavaProducerResult;
}
