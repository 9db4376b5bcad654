// Entrypoints start here: `.env` if present, then the environment, validated. A bad setting ends
// the process with one line naming the variable, not a stack trace.
import { redact } from './redact.ts';
import { ConfigError, loadEnvFile, readConfig, type Config } from './config.ts';

/** What `read` takes from the environment (after `.env`), or exit 1 with one line. */
export function loadSettingsOrExit<T>(read: () => T): T {
  try {
    loadEnvFile();
    return read();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Before the logger exists: redacted here, as it would be there (a URL may hold a password).
    process.stderr.write(`Configuration error (${error.code}): ${redact(error.message)}\n`);
    process.exit(1);
  }
}

export function loadConfigOrExit(): Config {
  return loadSettingsOrExit(() => readConfig());
}
