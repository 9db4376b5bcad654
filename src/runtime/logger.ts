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

/** Errors go under `err` with the fields worth reading; never the whole object (it may hold data).
 * The logger's redactor then takes any credential out of the message and stack. */
export function errorFields(error: unknown): {
  err: { name: string; message: string; code?: string; stack?: string };
} {
  if (!(error instanceof Error)) return { err: { name: 'NonError', message: String(error) } };
  const code = (error as { code?: unknown }).code;
  return {
    err: {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    },
  };
}
