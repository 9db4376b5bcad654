// Options of `npm run dlq:redrive [-- --code <error code>]`.
import { parseArgs } from 'node:util';
import { settingsNote } from '../../runtime/parse-args-or-exit.ts';
import { errorCodes, type ErrorCode } from '../../domain/errors/error-codes.ts';

interface RedriveOptions {
  /** Only dead letters with this code; absent: all of them. */
  readonly code?: ErrorCode;
}

export const redriveUsage = `usage: npm run dlq:redrive [-- --code <error code>]

Sends the dead letters of KAFKA_DLQ_TOPIC back through validation and storage (after the cause
is fixed), re-dead-letters what still fails with its new reason, and prints the counts.

  --code CODE   only dead letters with this error code (default: all of them)
  -h, --help    show this help

${settingsNote}`;

export function parseRedriveOptions(args: readonly string[]): RedriveOptions {
  const { values } = parseArgs({
    args: [...args],
    options: { code: { type: 'string' } },
    strict: true,
  });
  if (values.code === undefined) return {};
  if (!Object.hasOwn(errorCodes, values.code)) {
    throw new Error(`--code must be one of ${Object.keys(errorCodes).join(', ')}`);
  }
  return { code: values.code as ErrorCode };
}
