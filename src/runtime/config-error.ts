// A setting the service cannot use: one of the service's errors (CONFIG_INVALID, not retryable),
// so whatever reports it names the code as for any other. The message names the variable (and
// never a secret).
import { ServiceError } from '../domain/errors/error-codes.ts';

export class ConfigError extends ServiceError {
  override name = 'ConfigError';

  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}
