// Entrypoints start here: `.env` if present, then the environment, validated. A bad setting ends
// the process with one line naming the variable, not a stack trace.
import { ConfigError, loadEnvFile, readConfig, type Config } from './config.ts';

export function loadConfigOrExit(): Config {
  try {
    loadEnvFile();
    return readConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Configuration error (CONFIG_INVALID): ${error.message}\n`);
    process.exit(1);
  }
}
