// The logger the tests hand to what they build in their own process: quiet unless TEST_LOG_LEVEL.
import { createLogger } from '../../src/runtime/logger.ts';

export const testLogger = createLogger(process.env['TEST_LOG_LEVEL'] ?? 'error', 'json');
