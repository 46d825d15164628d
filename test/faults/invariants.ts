// The promises a sync agent makes, checked on every object of both sides:
// kcp (the consumers' workspaces) and the service cluster (the copies).
// Fault tests call waitInvariants() after each fault: violations while the
// agent catches up are expected, none may remain once it has converged.
import { isDeepStrictEqual } from 'node:util';
import {
  AGENT_NAME_LABEL, CLEANUP_FINALIZER, REMOTE_OBJECT_CLUSTER_LABEL, REMOTE_OBJECT_NAME_ANNOTATION, REMOTE_OBJECT_NAMESPACE_ANNOTATION,
} from '../../src/apis/v1alpha1/constants.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import type { Workspace } from '../utils/kcp-fixtures.ts';
import type { FaultReport } from './report.ts';

/** Consumer objects the fault tests create carry their tenant's cluster in this label. */
export const TENANT_LABEL = 'faults.test/tenant';

export interface Tenant {
  readonly workspace: Workspace;
  /** kcp admin inside the workspace: sees everything, including what should not be there. */
  readonly client: RestClient;
}

export interface InvariantScope {
  /** Service-cluster admin. */
  readonly local: RestClient;
  readonly agentName: string;
  readonly tenants: readonly Tenant[];
  readonly resource: { readonly group: string; readonly version: string; readonly plural: string };
}

export interface InvariantResult {
  /** Invariant → how many times it was checked (once per object it applies to). */
  readonly checks: Map<string, number>;
  readonly kcpObjects: number;
  readonly serviceObjects: number;
  readonly violations: string[];
}

export const INVARIANTS = {
  oneCopy: 'one copy per consumer object',
  liveOrigin: 'every copy has a live origin',
  statusUp: 'copy status reached the consumer object',
  released: 'no deleted consumer object keeps the finalizer',
  ownNamespace: 'copies only in their tenant\'s namespace',
  ownWorkspace: 'nothing of another tenant in a workspace',
} as const;

const originKey = (cluster: string, namespace: string, name: string): string => `${cluster}|${namespace}|${name}`;

/** Checks every invariant once, on every object of both sides. */
export async function checkInvariants(scope: InvariantScope): Promise<InvariantResult> {
  const { group, version, plural } = scope.resource;
  const checks = new Map<string, number>();
  const violations: string[] = [];
  const check = (name: string, ok: boolean, what: () => string): void => {
    checks.set(name, (checks.get(name) ?? 0) + 1);
    if (!ok) violations.push(`${name}: ${what()}`);
  };

  const origins = new Map<string, KubeObject>();
  const clusters = new Set(scope.tenants.map((t) => t.workspace.cluster));
  for (const tenant of scope.tenants) {
    const items = (await tenant.client.list(`/apis/${group}/${version}/${plural}`)).items;
    for (const obj of items) {
      const ns = obj.metadata.namespace ?? '';
      const name = obj.metadata.name ?? '';
      origins.set(originKey(tenant.workspace.cluster, ns, name), obj);
      const marker = obj.metadata.labels?.[TENANT_LABEL];
      check(INVARIANTS.ownWorkspace, marker === undefined || marker === tenant.workspace.cluster,
        () => `${tenant.workspace.path} holds ${ns}/${name} of tenant ${marker ?? '?'}`);
      const deleting = obj.metadata.deletionTimestamp !== undefined;
      check(INVARIANTS.released, !deleting || !(obj.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER),
        () => `${tenant.workspace.path} ${ns}/${name} is deleted but keeps ${CLEANUP_FINALIZER}`);
    }
  }

  const copies = (await scope.local.list(`/apis/${group}/${version}/${plural}`)).items
    .filter((c) => c.metadata.labels?.[AGENT_NAME_LABEL] === scope.agentName || c.metadata.annotations?.[REMOTE_OBJECT_NAME_ANNOTATION] !== undefined);
  const copiesOf = new Map<string, KubeObject[]>();
  for (const copy of copies) {
    const cluster = copy.metadata.labels?.[REMOTE_OBJECT_CLUSTER_LABEL] ?? '';
    const key = originKey(cluster, copy.metadata.annotations?.[REMOTE_OBJECT_NAMESPACE_ANNOTATION] ?? '', copy.metadata.annotations?.[REMOTE_OBJECT_NAME_ANNOTATION] ?? '');
    copiesOf.set(key, [...(copiesOf.get(key) ?? []), copy]);
    const where = `copy ${copy.metadata.namespace ?? ''}/${copy.metadata.name ?? ''} (of ${key})`;
    check(INVARIANTS.ownNamespace, clusters.has(cluster) && copy.metadata.namespace === cluster
      && (copy.metadata.labels?.[TENANT_LABEL] ?? cluster) === cluster, () => `${where} is outside its tenant's namespace`);
    const origin = origins.get(key);
    check(INVARIANTS.liveOrigin, origin !== undefined && origin.metadata.deletionTimestamp === undefined,
      () => `${where} has ${origin === undefined ? 'no origin' : 'an origin being deleted'}`);
    if (origin !== undefined && copy['status'] !== undefined) {
      check(INVARIANTS.statusUp, isDeepStrictEqual(copy['status'], origin['status']),
        () => `${where} status ${JSON.stringify(copy['status'])} but the consumer has ${JSON.stringify(origin['status'])}`);
    }
  }
  for (const [key, origin] of origins) {
    if (origin.metadata.deletionTimestamp !== undefined) continue;
    const n = copiesOf.get(key)?.length ?? 0;
    check(INVARIANTS.oneCopy, n === 1, () => `${key} has ${n} copies`);
  }
  return { checks, kcpObjects: origins.size, serviceObjects: copies.length, violations };
}

/**
 * Polls checkInvariants until no violation is left or the time is up, and
 * adds the last result to the report. Returns how long convergence took.
 */
export async function waitInvariants(scope: InvariantScope, report: FaultReport, after: string, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const result = await checkInvariants(scope).catch((err: unknown) => {
      const why = err instanceof Error ? err.message : String(err);
      return { checks: new Map<string, number>(), kcpObjects: 0, serviceObjects: 0, violations: [`could not read the objects: ${why}`] };
    });
    const elapsed = Date.now() - started;
    if (result.violations.length === 0 || elapsed > timeoutMs) {
      report.checked({ ...result, violations: result.violations.map((v) => `after ${after}: ${v}`) }, elapsed);
      console.log(`      after ${after}: ${result.kcpObjects} kcp + ${result.serviceObjects} service objects checked, converged in ${elapsed} ms, violations ${result.violations.length}`);
      return elapsed;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
