import { REMOTE_OBJECT_NAME_ANNOTATION } from '../../src/apis/v1alpha1/constants.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import type { Workspace } from './kcp-fixtures.ts';
import { claimsPath, type PlatformApi } from './platform.ts';
import { waitFor } from './wait.ts';

/**
 * What happens on the service cluster behind a consumer's claim: its copy,
 * the composite Crossplane bound to it, and the composed resources; and the
 * "cloud" that makes the stand-in resources ready.
 */
export const CLOUD_RESOURCES = '/apis/standin.cloud.example/v1alpha1/cloudresources';
/** Crossplane labels every composed resource with the composite's name. */
const COMPOSITE_LABEL = 'crossplane.io/composite';

/** The copy of a consumer's claim on the service cluster (in the consumer's logical-cluster namespace). */
export async function findLocalClaim(
  local: RestClient,
  api: PlatformApi,
  consumer: Workspace,
  name: string,
): Promise<KubeObject | undefined> {
  const list = await local.list(claimsPath(api, consumer.cluster));
  return list.items.find((o) => o.metadata.annotations?.[REMOTE_OBJECT_NAME_ANNOTATION] === name);
}

/** Waits for the copy and for Crossplane to bind a composite to it; returns both names. */
export async function waitForBinding(
  local: RestClient,
  api: PlatformApi,
  consumer: Workspace,
  name: string,
): Promise<{ claim: KubeObject; composite: string }> {
  return waitFor(
    `the copy of ${name} from ${consumer.path} bound to a composite`,
    async () => {
      const claim = await findLocalClaim(local, api, consumer, name);
      const ref = (claim?.['spec'] as { resourceRef?: { name?: string } } | undefined)?.resourceRef?.name;
      return claim !== undefined && ref !== undefined ? { claim, composite: ref } : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

/** The composed resources of a composite, by kind: cloud resources, namespaces, ClusterRoles. */
export async function composedResources(
  local: RestClient,
  composite: string,
): Promise<{ cloud: KubeObject[]; namespaces: KubeObject[]; clusterRoles: KubeObject[] }> {
  const query = { labelSelector: `${COMPOSITE_LABEL}=${composite}` };
  const [cloud, namespaces, clusterRoles] = await Promise.all([
    local.list(CLOUD_RESOURCES, query),
    local.list('/api/v1/namespaces', query),
    local.list('/apis/rbac.authorization.k8s.io/v1/clusterroles', query),
  ]);
  return { cloud: cloud.items, namespaces: namespaces.items, clusterRoles: clusterRoles.items };
}

/** Waits until the composite has its stand-in cloud resource; returns it. */
export async function waitForCloudResource(
  local: RestClient,
  composite: string,
  accept: (cr: KubeObject) => boolean = () => true,
): Promise<KubeObject> {
  return waitFor(
    `the cloud resource composed for ${composite}`,
    async () => {
      const { cloud } = await composedResources(local, composite);
      return cloud.find(accept);
    },
    { timeoutMs: 60_000 },
  );
}

/** What a cloud provider reports: Ready (with where it answers) or not. */
export async function setCloudReady(local: RestClient, cr: KubeObject, ready: boolean, endpoint = ''): Promise<void> {
  const path = `${CLOUD_RESOURCES}/${cr.metadata.name ?? ''}/status`;
  const current = await local.get(path);
  const condition = ready
    ? {
        type: 'Ready',
        status: 'True',
        reason: 'Provisioned',
        message: 'the resource is running',
        lastTransitionTime: new Date().toISOString(),
      }
    : {
        type: 'Ready',
        status: 'False',
        reason: 'Provisioning',
        message: 'the resource is being created',
        lastTransitionTime: new Date().toISOString(),
      };
  await local.replace(path, { ...current, status: { ...(ready ? { endpoint } : {}), conditions: [condition] } });
}

/** The endpoint the fake cloud gives a resource. */
export const endpointOf = (cr: KubeObject): string =>
  `https://${cr.metadata.name ?? ''}.${String((cr['spec'] as { service?: string } | undefined)?.service)}.cloud.example`;

/** For the demo: a cloud that makes every stand-in resource Ready shortly after it appears. */
export function runFakeCloud(local: RestClient): AbortController {
  const abort = new AbortController();
  const loop = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      const list = await local.list(CLOUD_RESOURCES).catch(() => ({ items: [] as KubeObject[] }));
      for (const cr of list.items.filter(
        (o) => (o['status'] as { endpoint?: string } | undefined)?.endpoint === undefined,
      )) {
        await setCloudReady(local, cr, true, endpointOf(cr)).catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  void loop();
  return abort;
}

/** The status of a condition type on an object, with its reason and message. */
export function condition(
  obj: KubeObject,
  type: string,
): { status: string; reason?: string; message?: string } | undefined {
  const conditions = (
    obj['status'] as { conditions?: { type: string; status: string; reason?: string; message?: string }[] } | undefined
  )?.conditions;
  return conditions?.find((c) => c.type === type);
}
