// Mocha root hooks for the e2e run: start the shared kcp once, note failures
// (server logs are then kept), stop every server the harness started.
import type { Context } from 'mocha';
import { startSuite, stopSuite, suite } from '../utils/suite.ts';

export const mochaHooks = {
  async beforeAll(this: Context): Promise<void> {
    this.timeout(240_000);
    await startSuite();
  },
  afterEach(this: Context): void {
    if (this.currentTest?.state === 'failed') {
      suite().artifacts.markFailed();
      console.log(`server logs kept in ${suite().artifacts.logDir}`);
    }
  },
  async afterAll(this: Context): Promise<void> {
    this.timeout(60_000);
    await stopSuite();
  },
};
