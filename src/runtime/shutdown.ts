// Process lifecycle shared by the entrypoints: Ctrl+C or SIGTERM stops cleanly and exits 0; a fatal
// error is logged and exits 1.
import { errorFields, type Logger } from './logger.ts';

/** A clean stop that hangs (a broker gone for good) must not keep the process alive forever. */
export const stopDeadlineMs = 30_000;

export function onShutdownSignal(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    // Repeats are expected: `npm run` forwards the terminal's Ctrl+C to a process that got it too.
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    setTimeout(
      () => exitOnFatal(logger, new Error(`clean stop took over ${stopDeadlineMs} ms`)),
      stopDeadlineMs,
    ).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => exitOnFatal(logger, error),
    );
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}

export function exitOnFatal(logger: Logger, error: unknown): never {
  logger.error('fatal error, exiting', errorFields(error));
  process.exit(1);
}
