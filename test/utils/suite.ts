import { Artifacts } from './artifacts.ts';
import { type KcpServer, startKcp } from './kcp-server.ts';
import { stopAllProcesses } from './processes.ts';

/**
 * What the whole e2e run shares: one kcp (it takes ~25 s to start) and the
 * artifacts folder. Service clusters are per test file.
 */
export interface Suite {
  readonly kcp: KcpServer;
  readonly artifacts: Artifacts;
}

let current: Suite | undefined;
let artifacts: Artifacts | undefined;

export async function startSuite(): Promise<Suite> {
  artifacts = new Artifacts();
  try {
    current = { kcp: await startKcp(artifacts), artifacts };
  } catch (err) {
    artifacts.markFailed();
    console.log(`server logs kept in ${artifacts.logDir}`);
    throw err;
  }
  return current;
}

export function suite(): Suite {
  if (current === undefined) throw new Error('the e2e suite is not started (run through .mocharc.e2e.json)');
  return current;
}

export async function stopSuite(): Promise<void> {
  await stopAllProcesses();
  artifacts?.cleanup();
  if (artifacts !== undefined && process.env['KEEP_ARTIFACTS'] !== undefined) {
    console.log(`server logs: ${artifacts.logDir}`);
  }
}
