// Root hooks for the integration suites: services are stopped once, after every file has run.
import { stopTestServices } from '../support/services.ts';

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(120_000);
    await stopTestServices();
  },
};
