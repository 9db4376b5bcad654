// Process lifecycle shared by the entrypoints: Ctrl+C or SIGTERM stops cleanly and exits 0; a fatal
// error is logged and exits 1.
import { ServiceError } from '../domain/errors/error-codes.ts';
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

/** A failure the service has a code for (a database or broker that is not there, a missing
 * topic) is one line saying what to run or set; its library's stack is for LOG_LEVEL=debug. An
 * unexpected error keeps its stack: it is a bug to report. */
export function exitOnFatal(logger: Logger, error: unknown): never {
  if (error instanceof ServiceError) {
    logger.error(error.message, { code: error.code });
    if (error.cause !== undefined) logger.debug('caused by', errorFields(error.cause));
  } else logger.error('fatal error, exiting', errorFields(error));
  process.exit(1);
}
