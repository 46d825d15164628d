// The opening most user stories share: a service cluster that serves the
// CronTab CRD and our PublishedResource CRD, and later the example
// PublishedResource applied, its export ready and bound by a consumer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import type { Artifacts } from './artifacts.ts';
import type { KcpServer } from './kcp-server.ts';
import { applyObject, bindExport, conditionTrue, uniqueName, type Workspace } from './kcp-fixtures.ts';
import { installCrd, readCrd } from './service-fixtures.ts';
import { type ServiceCluster, startServiceCluster } from './service-cluster.ts';
import { REPO_ROOT } from './tools.ts';
import { waitFor } from './wait.ts';

export const CRONTABS_EXPORT = 'crontabs.example.com';
/** The name of the PublishedResource in test/fixtures/publishedresources/crontabs.yaml. */
export const CRONTABS_PR = 'publish-crontabs';
/** CronTabs in a consumer workspace's default namespace. */
export const CRONTABS = '/apis/example.com/v1/namespaces/default/crontabs';
/** The namespace the agent runs in (its leader-election lease lives there). */
export const AGENT_NAMESPACE = 'api-syncagent';

const fixture = (p: string): string => join(REPO_ROOT, p);

/** A fresh service cluster with both CRDs installed and the agent's namespace. */
export async function cronTabServiceCluster(
  artifacts: Artifacts,
  prefix: string,
): Promise<{ service: ServiceCluster; local: RestClient }> {
  const service = await startServiceCluster(artifacts, uniqueName(prefix));
  const local = await service.client();
  await installCrd(local, readCrd(fixture('crds/syncagent.kcp.io_publishedresources.yaml')));
  await installCrd(local, readCrd(fixture('test/fixtures/crds/crontab.yaml')));
  await local.create('/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: AGENT_NAMESPACE },
  });
  return { service, local };
}

/**
 * Applies the example PublishedResource, waits until the agent reports its
 * export ready, binds it in the consumer workspace and waits until CronTabs
 * are served there; returns the consumer's client.
 */
export async function publishAndBindCronTabs(
  kcp: KcpServer,
  local: RestClient,
  provider: Workspace,
  consumer: Workspace,
): Promise<RestClient> {
  await applyObject(
    local,
    parse(readFileSync(fixture('test/fixtures/publishedresources/crontabs.yaml'), 'utf8')) as KubeObject,
  );
  await waitFor('ExportReady on the PublishedResource', async () =>
    conditionTrue(await local.get(`/apis/syncagent.kcp.io/v1alpha1/publishedresources/${CRONTABS_PR}`), 'ExportReady')
      ? true
      : undefined,
  );
  await bindExport(kcp, consumer.path, { path: provider.path, name: CRONTABS_EXPORT });
  const tenant = await kcp.client('admin', consumer.path);
  await waitFor('the API in the consumer workspace', () => tenant.list(CRONTABS));
  return tenant;
}
