/** A setting the service cannot use; the message names the variable (and never a secret). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
