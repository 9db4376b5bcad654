// Running a command until it stops, and reading the one line it should stop with, for the
// "errors that name the fix" tests (errors-name-the-fix*.test.ts).
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { redact } from '../../../src/runtime/redact.ts';
import { closedPort } from '../../support/closed-port.ts';
import { logLines, type LogLine } from '../../support/log-lines.ts';
import { runNpmScript } from '../../support/run-npm-script.ts';
import { runScript } from '../../support/run-script.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratch-database.ts';
import { testServices, type TestServices } from '../../support/services.ts';

export const quiet = { LOG_FORMAT: 'json', LOG_LEVEL: 'info' };

/**
 * What every case starts from, made before the describe's tests and dropped after them (call it
 * inside a describe): a migrated scratch database, the suite's Kafka with topic and group names
 * nobody created (`it-missing-<id>`), and a port nobody listens on (closed-port.ts).
 */
export function errorCaseSetting() {
  const id = randomBytes(4).toString('hex');
  let services: TestServices | undefined;
  let scratch: ScratchDatabase | undefined;
  let downPort = 0;
  before(async () => {
    services = await testServices();
    scratch = await createScratchDatabase(services.databaseUrl);
    await scratch.db.migrate.latest();
    downPort = await closedPort();
  });
  after(async () => {
    await scratch?.drop();
  });
  const scratchUrl = () => scratch!.url;
  const brokers = () => services!.kafkaBrokers.join(',');
  return {
    id,
    scratchUrl,
    brokers,
    downPort: () => downPort,
    /** The commands' environment: the scratch database, the suite's brokers, missing topics. */
    kafka: () => ({
      DATABASE_URL: scratchUrl(),
      KAFKA_BROKERS: brokers(),
      KAFKA_TOPIC: `it-missing-${id}`,
      KAFKA_DLQ_TOPIC: `it-missing-${id}.dlq`,
      KAFKA_GROUP_ID: `it-missing-${id}`,
    }),
  };
}

/** Runs a command to its exit (150 s at most: a loaded machine is slow) and reads its lines. */
export async function runToExit(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; lines: LogLine[] }> {
  const started = runScript(script, args, { ...quiet, ...env });
  const timer = setTimeout(() => started.child.kill('SIGKILL'), 150_000);
  const code = await started.exited;
  clearTimeout(timer);
  return { code, lines: logLines(started.output()) };
}

export async function migrate(env: Record<string, string>) {
  const { code, output } = await runNpmScript('db:migrate', { ...quiet, ...env });
  return { code, lines: logLines(output) };
}

/** Exactly one line: an error with this code and message (as the logger's redactor passes it). */
export function expectOneLine(
  { code, lines }: { code: number | null; lines: LogLine[] },
  errorCode: string,
  message: string,
) {
  expect(lines, JSON.stringify(lines, null, 1)).to.have.length(1);
  expect(lines[0]).to.deep.include({ level: 'error', code: errorCode, message: redact(message) });
  expect(lines[0]).to.not.have.property('err');
  expect(code).to.equal(1);
}
