// What `make demo` and `make demo-platform` share: a fresh .demo/ folder for
// logs and kubeconfigs, how a step is printed, and how the demo ends (stays up
// until Ctrl-C, or stops at once with DEMO_EXIT=1, cleaning up either way).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RestClient } from '../src/kube/rest-client.ts';
import { Artifacts } from '../test/utils/artifacts.ts';
import { type KcpServer, startKcp } from '../test/utils/kcp-server.ts';
import { onInterrupt, stopAllProcesses } from '../test/utils/processes.ts';
import { type ServiceCluster, startServiceCluster } from '../test/utils/service-cluster.ts';
import { REPO_ROOT } from '../test/utils/tools.ts';

export const DEMO_DIR = join(REPO_ROOT, '.demo');

/** Empties .demo/ and sends the servers' logs to .demo/logs. */
function prepareDemoDir(): Artifacts {
  rmSync(DEMO_DIR, { recursive: true, force: true });
  mkdirSync(DEMO_DIR, { recursive: true });
  process.env['E2E_ARTIFACTS'] = join(DEMO_DIR, 'logs');
  return new Artifacts();
}

export const step = (msg: string): void => {
  console.log(`\n▶ ${msg}`);
};

export interface DemoServers {
  /** When the demo started (Date.now()). */
  readonly started: number;
  readonly artifacts: Artifacts;
  readonly kcp: KcpServer;
  readonly service: ServiceCluster;
  /** An admin client of the service cluster. */
  readonly local: RestClient;
}

/** A fresh .demo/, then kcp and a service cluster side by side. */
export async function startDemoServers(): Promise<DemoServers> {
  const started = Date.now();
  const artifacts = prepareDemoDir();
  step('Starting kcp and a service cluster (etcd, kube-apiserver, kube-controller-manager)…');
  const [kcp, service] = await Promise.all([startKcp(artifacts), startServiceCluster(artifacts, 'service-cluster')]);
  return { started, artifacts, kcp, service, local: await service.client() };
}

/** Waits for Ctrl-C (which kills the servers, then runs cleanup); DEMO_EXIT=1 ends at once. */
export async function stayUp(artifacts: Artifacts, cleanup: () => void = () => undefined): Promise<void> {
  const all = (): void => {
    cleanup();
    artifacts.cleanup();
    rmSync(DEMO_DIR, { recursive: true, force: true });
    console.log('\nStopped every process the demo started and removed .demo/.');
  };
  if (process.env['DEMO_EXIT'] === undefined) {
    onInterrupt(all);
    console.log('\nThe demo stays up; press Ctrl-C to stop it and clean up.');
    await new Promise<never>(() => undefined);
  }
  await stopAllProcesses();
  all();
}

/** Runs a demo's main; on failure stops what it started and exits 1. */
export function runDemo(main: () => Promise<void>): void {
  main().catch(async (err: unknown) => {
    console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
    await stopAllProcesses();
    process.exit(1);
  });
}
