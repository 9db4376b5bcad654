// Options of `npm run dlq:redrive [-- --code <error code>]`.
import { parseArgs } from 'node:util';
import { errorCodes, type ErrorCode } from '../errors/error-codes.ts';

export interface RedriveOptions {
  /** Only dead letters with this code; absent: all of them. */
  readonly code?: ErrorCode;
}

export const redriveUsage = 'usage: npm run dlq:redrive [-- --code <error code>]';

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
