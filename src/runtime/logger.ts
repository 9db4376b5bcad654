// One logger for the service. JSON lines for machines; a readable line when a person is watching a
// terminal. Call sites pass structured fields (counts, offsets, codes), never event payloads.
// Every line, in either format, passes the redactor on its way out (the policy is in redact.ts):
// credentials and payload bytes never reach the log, whatever the call site passed; addresses,
// SQL text and library messages reach it as written.
import winston from 'winston';
import type { LogFormat } from './config.ts';
import { redactField } from './redact.ts';

const { combine, timestamp, json, colorize, printf, errors } = winston.format;

const readable = printf(({ level, message, timestamp: time, component, ...fields }) => {
  const rest = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  const where = typeof component === 'string' ? ` [${component}]` : '';
  return `${String(time)} ${level}${where} ${String(message)}${rest}`;
});

/** Redacts every field of the entry in place (the entry is winston's own copy). */
const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) info[key] = redactField(key, info[key]);
  return info;
});

export type Logger = winston.Logger;

/** LOG_FORMAT: auto picks readable lines for a terminal; json or pretty forces one (a CI log, a pipe to less). */
export function createLogger(level: string, format: LogFormat = 'auto'): Logger {
  const pretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  // One chain up to the rendering, so no format can leave the redactor out.
  const entry = [errors({ stack: true }), redactFormat(), timestamp()];
  return winston.createLogger({
    level,
    format: pretty ? combine(...entry, colorize(), readable) : combine(...entry, json()),
    transports: [new winston.transports.Console({ stderrLevels: ['error'] })],
  });
}

/** What one error inside another says of itself, in a log line. */
interface InnerError {
  name: string;
  message: string;
  code?: string;
}

/** An error's `code` when it is a string (Node's and the clients' codes), else nothing. */
function codeField(error: Error): { code?: string } {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { code } : {};
}

/** The most inner errors a line lists: a client's retries give one per attempt. */
const maxInnerErrors = 10;

/**
 * The attempts inside an AggregateError, depth first (a client that gave up after its retries:
 * "fetch failed 3 times." says nothing of why; a broker's response of several errors), each by
 * name, message and code. Not an error's `cause`: a database error there can quote a row's value
 * in its message, so causes stay at debug (shutdown.ts). A list that holds itself is listed once.
 */
function innerErrors(error: Error): InnerError[] {
  const found: InnerError[] = [];
  const seen = new Set<unknown>([error]);
  const walk = (outer: unknown) => {
    if (!(outer instanceof AggregateError)) return;
    for (const one of outer.errors as unknown[]) {
      if (!(one instanceof Error) || seen.has(one) || found.length >= maxInnerErrors) continue;
      seen.add(one);
      found.push({ name: one.name, message: one.message, ...codeField(one) });
      walk(one);
    }
  };
  walk(error);
  return found;
}

/** Errors go under `err` with the fields worth reading; never the whole object (it may hold data).
 * The attempts inside an AggregateError go under `err.inner` (name, message and code each). The
 * logger's redactor then takes any credential out of the messages and stack. */
export function errorFields(error: unknown): {
  err: { name: string; message: string; code?: string; stack?: string; inner?: InnerError[] };
} {
  if (!(error instanceof Error)) return { err: { name: 'NonError', message: String(error) } };
  const inner = innerErrors(error);
  return {
    err: {
      name: error.name,
      message: error.message,
      ...codeField(error),
      ...(error.stack === undefined ? {} : { stack: error.stack }),
      ...(inner.length === 0 ? {} : { inner }),
    },
  };
}
