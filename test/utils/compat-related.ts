// The related-resources part of the compatibility suite: before the consumer
// creates its CronTab, the operator has written a credentials Secret and a
// CA bundle ConfigMap in the namespace the copy will land in, and the
// consumer has written a settings ConfigMap next to its object
// (test/fixtures/publishedresources/related-crontabs.yaml). Afterwards both
// sides of the related objects are collected for comparison.
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import {
  configMap,
  configMapPath,
  ensureNamespace,
  relatedAnnotations,
  secret,
  secretPath,
  waitObject,
} from './related-checks.ts';

export const RELATED_GROUP = 'related.example.com';
export const RELATED_OBJECT = 'related-db';

/** What the consumer and the operator write before the CronTab exists. */
export async function writeRelatedSources(local: RestClient, consumer: RestClient, cluster: string): Promise<void> {
  await ensureNamespace(local, cluster);
  await local.create(secretPath(cluster), secret(cluster, 'db-credentials', { password: 'hunter2' }, { app: 'db' }));
  await local.create(
    configMapPath(cluster),
    configMap(cluster, 'service-ca', { 'ca.crt': Buffer.from('CA').toString('base64') }),
  );
  await consumer.create(
    configMapPath('default'),
    configMap('default', `${RELATED_OBJECT}-settings`, { level: 'debug' }, { app: 'db' }),
  );
}

/** Both sides of both related objects, and what the agent recorded on the consumer's CronTab. */
export interface RelatedResult {
  /** The operator's Secret as copied into the consumer's workspace. */
  readonly secretInKcp: KubeObject;
  /** The operator's CA bundle ConfigMap as a Secret in the consumer's workspace. */
  readonly bundleInKcp: KubeObject;
  /** The operator's Secret itself, after the agent has seen it. */
  readonly secretOrigin: KubeObject;
  /** The consumer's ConfigMap as copied next to the copy. */
  readonly configMapOnService: KubeObject;
  /** The consumer's ConfigMap itself, after the agent has seen it. */
  readonly configMapOrigin: KubeObject;
  /** The `related-resources.syncagent.kcp.io/…` annotations on the consumer's CronTab. */
  readonly recorded: Record<string, unknown>;
}

/** Waits for both related copies and collects everything, without kcp's own bookkeeping. */
export async function collectRelated(
  local: RestClient,
  consumer: RestClient,
  copyName: string,
  cluster: string,
): Promise<RelatedResult> {
  const secretInKcp = await waitObject(
    consumer,
    secretPath('default', 'my-credentials'),
    "the operator's Secret in the consumer workspace",
  );
  const bundleInKcp = await waitObject(
    consumer,
    secretPath('default', 'ca-bundle'),
    "the operator's CA bundle as a Secret in the consumer workspace",
  );
  const configMapOnService = await waitObject(
    local,
    configMapPath(cluster, `${copyName}-settings`),
    "the consumer's ConfigMap next to the copy",
  );
  const primary = await waitObject(
    consumer,
    `/apis/${RELATED_GROUP}/v1/namespaces/default/crontabs/${RELATED_OBJECT}`,
    'the related annotation on the CronTab',
    (o) => Object.keys(relatedAnnotations(o)).length > 1,
  );
  return {
    secretInKcp: withoutKcpBookkeeping(secretInKcp),
    bundleInKcp: withoutKcpBookkeeping(bundleInKcp),
    secretOrigin: await local.get(secretPath(cluster, 'db-credentials')),
    configMapOnService,
    configMapOrigin: withoutKcpBookkeeping(await consumer.get(configMapPath('default', `${RELATED_OBJECT}-settings`))),
    recorded: relatedAnnotations(primary),
  };
}

/** Drops what kcp itself puts on objects in a workspace (claim labels, the cluster annotation). */
function withoutKcpBookkeeping(obj: KubeObject): KubeObject {
  const labels = Object.fromEntries(
    Object.entries(obj.metadata.labels ?? {}).filter(([k]) => !k.startsWith('claimed.internal.apis.kcp.io/')),
  );
  const annotations = Object.fromEntries(
    Object.entries(obj.metadata.annotations ?? {}).filter(([k]) => k !== 'kcp.io/cluster'),
  );
  return { ...obj, metadata: { ...obj.metadata, labels, annotations } };
}
