// Checks of the hostile-consumer test: the copy a hostile object must end in,
// and a snapshot of a tenant's objects on both sides to prove none was written.
import { isDeepStrictEqual } from 'node:util';
import {
  AGENT_NAME_ANNOTATION,
  AGENT_NAME_LABEL,
  OBJECT_STATE_LABEL,
  RELATED_OWNER_ANNOTATION,
  LAST_KNOWN_STATE_ANNOTATION,
  RELATED_RESOURCES_ANNOTATION_PREFIX,
  RELATED_STATE_ANNOTATION,
  REMOTE_OBJECT_CLUSTER_LABEL,
  REMOTE_OBJECT_NAME_ANNOTATION,
  REMOTE_OBJECT_NAME_HASH_LABEL,
  REMOTE_OBJECT_NAMESPACE_ANNOTATION,
  REMOTE_OBJECT_NAMESPACE_HASH_LABEL,
  REMOTE_OBJECT_WORKSPACE_PATH_ANNOTATION,
} from '../../src/apis/v1alpha1/constants.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import { sha1Hex } from '../../src/translate/hashes.ts';
import { eventsOn } from '../utils/related-checks.ts';
import type { HostileCase } from './hostile-cases.ts';
import type { Tenant } from './invariants.ts';
import { CRONTABS, type FaultWorld, nsCronTabs } from './world.ts';

export interface Created {
  readonly c: HostileCase;
  readonly obj: KubeObject;
}

export interface CopyOutcome {
  /** Why the result is wrong, if it is. */
  readonly violation?: string;
  /** No copy, but the agent said why on the consumer object. */
  readonly event?: string;
  /** The consumer object is gone (kcp's garbage collector removes one whose owner does not exist), and so is its copy. */
  readonly gone?: boolean;
}

/** Keys under the agent's domains: on a copy the agent's own must hold exactly what the agent writes. */
const AGENT_KEY = /(^|\.)syncagent\.kcp\.io\//;

/** The agent's bookkeeping keys a consumer must not be able to set on a copy. */
const AGENT_LABELS: ReadonlySet<string> = new Set([
  AGENT_NAME_LABEL,
  REMOTE_OBJECT_CLUSTER_LABEL,
  REMOTE_OBJECT_NAME_HASH_LABEL,
  REMOTE_OBJECT_NAMESPACE_HASH_LABEL,
  OBJECT_STATE_LABEL,
]);

/** The copy of `obj` must sit in the tenant's namespace, say who it belongs to, and carry the consumer's spec. */
export async function checkCopy(
  world: FaultWorld,
  tenant: Tenant,
  obj: KubeObject,
  cronSpec?: string,
): Promise<CopyOutcome> {
  const cluster = tenant.workspace.cluster;
  const name = obj.metadata.name ?? '';
  const namespace = obj.metadata.namespace ?? '';
  const mine = (await world.local.list(CRONTABS)).items.filter(
    (c) =>
      c.metadata.labels?.[REMOTE_OBJECT_CLUSTER_LABEL] === cluster &&
      c.metadata.annotations?.[REMOTE_OBJECT_NAME_ANNOTATION] === name &&
      c.metadata.annotations[REMOTE_OBJECT_NAMESPACE_ANNOTATION] === namespace,
  );
  const copy = mine[0];
  const origin = await tenant.client.get(`${nsCronTabs(namespace)}/${name}`).catch(() => undefined);
  if (origin === undefined)
    return mine.length === 0 ? { gone: true } : { violation: 'the consumer object is gone but its copy stays' };
  if (copy === undefined) {
    const warning = (await eventsOn(tenant.client, namespace, name)).find((e) => e.type === 'Warning');
    return warning === undefined
      ? { violation: 'no copy and no warning event' }
      : { event: `${warning.reason}: ${warning.message.slice(0, 120)}` };
  }
  if (mine.length > 1) return { violation: `${mine.length} copies` };
  const problems = [
    ...(copy.metadata.namespace === cluster
      ? []
      : [`copy in namespace ${copy.metadata.namespace ?? ''}, not ${cluster}`]),
    ...labelProblems(world.scope.agentName, cluster, name, copy),
    ...annotationProblems(tenant, obj, copy),
    ...ownershipProblems(copy),
    ...specProblems(obj, copy, cronSpec),
  ];
  return problems.length === 0 ? {} : { violation: problems.join('; ') };
}

function labelProblems(agentName: string, cluster: string, name: string, copy: KubeObject): string[] {
  const labels = copy.metadata.labels ?? {};
  const expected: Record<string, string> = {
    [AGENT_NAME_LABEL]: agentName,
    [REMOTE_OBJECT_CLUSTER_LABEL]: cluster,
    [REMOTE_OBJECT_NAME_HASH_LABEL]: sha1Hex(name),
    [REMOTE_OBJECT_NAMESPACE_HASH_LABEL]: sha1Hex(
      copy.metadata.annotations?.[REMOTE_OBJECT_NAMESPACE_ANNOTATION] ?? '',
    ),
  };
  const wrong = Object.entries(expected)
    .filter(([k, v]) => labels[k] !== v)
    .map(([k]) => `label ${k}=${labels[k] ?? '∅'}`);
  const forged = Object.keys(labels)
    .filter((k) => AGENT_LABELS.has(k) && !(k in expected))
    .map((k) => `forged label ${k} reached the copy`);
  return [...wrong, ...forged];
}

/** The agent's annotations that may be on a copy (with the agent's values), and the ones that never may. */
const AGENT_ANNOTATIONS: ReadonlySet<string> = new Set([
  REMOTE_OBJECT_NAME_ANNOTATION,
  REMOTE_OBJECT_NAMESPACE_ANNOTATION,
  REMOTE_OBJECT_WORKSPACE_PATH_ANNOTATION,
  LAST_KNOWN_STATE_ANNOTATION,
  RELATED_STATE_ANNOTATION,
]);
const NEVER_ON_COPY: ReadonlySet<string> = new Set([AGENT_NAME_ANNOTATION, RELATED_OWNER_ANNOTATION]);

function annotationProblems(tenant: Tenant, obj: KubeObject, copy: KubeObject): string[] {
  const annotations = copy.metadata.annotations ?? {};
  const problems = Object.keys(annotations)
    .filter((k) => k.startsWith(RELATED_RESOURCES_ANNOTATION_PREFIX) || NEVER_ON_COPY.has(k))
    .map((k) => `annotation ${k} reached the copy`);
  for (const k of AGENT_ANNOTATIONS) {
    const forged = obj.metadata.annotations?.[k];
    if (forged !== undefined && annotations[k] === forged && k !== REMOTE_OBJECT_NAMESPACE_ANNOTATION)
      problems.push(`the forged ${k} reached the copy`);
  }
  const path = annotations[REMOTE_OBJECT_WORKSPACE_PATH_ANNOTATION];
  if (path !== undefined && path !== tenant.workspace.path) problems.push(`workspace path ${path}`);
  const lost = Object.entries(obj.metadata.annotations ?? {})
    .filter(([k, v]) => !AGENT_KEY.test(k) && !k.startsWith('kcp.io/') && annotations[k] !== v)
    .map(([k]) => `annotation ${k} lost or changed`);
  return [...problems, ...lost];
}

function ownershipProblems(copy: KubeObject): string[] {
  const problems: string[] = [];
  if ((copy.metadata.ownerReferences ?? []).length > 0) problems.push('owner references reached the copy');
  if ((copy.metadata.finalizers ?? []).some((f) => f.startsWith('hostile.test/')))
    problems.push("the consumer's finalizers reached the copy");
  return problems;
}

function specProblems(obj: KubeObject, copy: KubeObject, cronSpec: string | undefined): string[] {
  const spec = (copy['spec'] ?? {}) as Record<string, unknown>;
  const wanted = { ...(obj['spec'] as Record<string, unknown>), ...(cronSpec === undefined ? {} : { cronSpec }) };
  return Object.entries(wanted)
    .filter(([k, v]) => !isDeepStrictEqual(spec[k], v))
    .map(([k]) => `spec.${k} differs`);
}

/** Every object of a tenant on both sides, by where it lives, with its resourceVersion. */
export async function snapshotTenant(world: FaultWorld, tenant: Tenant): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const o of (await tenant.client.list(nsCronTabs('default'))).items)
    out.set(`kcp ${o.metadata.name ?? ''}`, o.metadata.resourceVersion ?? '');
  for (const o of (await world.local.list(nsCronTabs(tenant.workspace.cluster))).items)
    out.set(`copy ${o.metadata.name ?? ''}`, o.metadata.resourceVersion ?? '');
  return out;
}

/** What changed between two snapshots (written, created or removed). */
export function tenantWrites(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys]
    .filter((k) => before.get(k) !== after.get(k))
    .map((k) => `${k} (${before.get(k) ?? 'none'} → ${after.get(k) ?? 'gone'})`);
}
