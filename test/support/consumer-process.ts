// The consumer as its own process (`npm run consumer`), on a harness's database, topics and group:
// the only way to test what signals do. Every process started here is killed by killAll, so a
// failing test leaves none behind.
import { setTimeout as sleep } from 'node:timers/promises';
import type { PipelineHarness } from './pipeline-harness.ts';
import { runScript, type RunningScript } from './run-script.ts';

export const isRunning = (script: RunningScript): boolean =>
  script.child.exitCode === null && script.child.signalCode === null;

/** Throws, with the end of its output, when the process has already ended. */
export function expectRunning(script: RunningScript): void {
  if (!isRunning(script)) {
    const how = script.child.signalCode ?? `exit code ${script.child.exitCode}`;
    throw new Error(`the consumer died on its own (${how}):\n${script.output().slice(-4000)}`);
  }
}

/** The exit code, or `still running` when the process outlives `ms`. */
export function exitWithin(
  script: RunningScript,
  ms: number,
): Promise<number | null | 'still running'> {
  return Promise.race([script.exited, sleep(ms, 'still running' as const, { ref: false })]);
}

export interface ConsumerProcesses {
  /** `nodeArgs`: e.g. consumerNodeFlags, the heap limits `npm run consumer` runs with. */
  start(env?: Readonly<Record<string, string>>, nodeArgs?: readonly string[]): RunningScript;
  killAll(): Promise<void>;
}

export function consumerProcesses(harness: () => PipelineHarness): ConsumerProcesses {
  const started: RunningScript[] = [];
  return {
    start(env = {}, nodeArgs = []) {
      const { config, databaseUrl } = harness();
      const script = runScript(
        'src/apps/consumer/main.ts',
        [],
        {
          DATABASE_URL: databaseUrl,
          KAFKA_BROKERS: config.kafkaBrokers.join(','),
          KAFKA_TOPIC: config.topic,
          KAFKA_DLQ_TOPIC: config.dlqTopic,
          KAFKA_GROUP_ID: config.consumerGroupId,
          LOG_LEVEL: 'warn',
          ...env,
        },
        nodeArgs,
      );
      started.push(script);
      return script;
    },
    async killAll() {
      for (const script of started.splice(0)) {
        if (isRunning(script)) script.child.kill('SIGKILL');
        await script.exited;
      }
    },
  };
}
