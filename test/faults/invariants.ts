// The promises a sync agent makes, checked on every object of both sides:
// kcp (the consumers' workspaces) and the service cluster (the copies).
// Fault tests call waitInvariants() after each fault: violations while the
// agent catches up are expected, none may remain once it has converged.
import { isDeepStrictEqual } from 'node:util';
import {
  AGENT_NAME_LABEL,
  REMOTE_OBJECT_CLUSTER_LABEL,
  REMOTE_OBJECT_NAME_ANNOTATION,
  REMOTE_OBJECT_NAMESPACE_ANNOTATION,
} from '../../src/apis/v1alpha1/constants.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import { cleanupFinalizerFor, holdsCleanup } from '../../src/translate/cleanup-finalizer.ts';
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
  /** Other agents syncing the same objects onto this service cluster: their copies are theirs to check. */
  readonly otherAgents?: readonly string[];
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
  ownNamespace: "copies only in their tenant's namespace",
  ownWorkspace: 'nothing of another tenant in a workspace',
} as const;

const originKey = (cluster: string, namespace: string, name: string): string => `${cluster}|${namespace}|${name}`;

type Check = (name: string, ok: boolean, what: () => string) => void;

/** Checks every invariant once, on every object of both sides. */
export async function checkInvariants(scope: InvariantScope): Promise<InvariantResult> {
  const checks = new Map<string, number>();
  const violations: string[] = [];
  const check: Check = (name, ok, what) => {
    checks.set(name, (checks.get(name) ?? 0) + 1);
    if (!ok) violations.push(`${name}: ${what()}`);
  };
  const origins = await checkConsumerObjects(scope, check);
  const copies = await checkCopies(scope, origins, check);
  return { checks, kcpObjects: origins.size, serviceObjects: copies, violations };
}

/** The tenants' side: returns every consumer object by origin key. */
async function checkConsumerObjects(scope: InvariantScope, check: Check): Promise<Map<string, KubeObject>> {
  const { group, version, plural } = scope.resource;
  const origins = new Map<string, KubeObject>();
  for (const tenant of scope.tenants) {
    const items = (await tenant.client.list(`/apis/${group}/${version}/${plural}`)).items;
    for (const obj of items) {
      const ns = obj.metadata.namespace ?? '';
      const name = obj.metadata.name ?? '';
      origins.set(originKey(tenant.workspace.cluster, ns, name), obj);
      const marker = obj.metadata.labels?.[TENANT_LABEL];
      check(
        INVARIANTS.ownWorkspace,
        marker === undefined || marker === tenant.workspace.cluster,
        () => `${tenant.workspace.path} holds ${ns}/${name} of tenant ${marker ?? '?'}`,
      );
      const deleting = obj.metadata.deletionTimestamp !== undefined;
      check(
        INVARIANTS.released,
        !deleting || !holdsCleanup(obj.metadata.finalizers, cleanupFinalizerFor(scope.agentName)),
        () => `${tenant.workspace.path} ${ns}/${name} is deleted but keeps the agent's finalizer`,
      );
    }
  }
  return origins;
}

const copyOriginKey = (copy: KubeObject): string =>
  originKey(
    copy.metadata.labels?.[REMOTE_OBJECT_CLUSTER_LABEL] ?? '',
    copy.metadata.annotations?.[REMOTE_OBJECT_NAMESPACE_ANNOTATION] ?? '',
    copy.metadata.annotations?.[REMOTE_OBJECT_NAME_ANNOTATION] ?? '',
  );

/** One copy: in its tenant's namespace, with a live origin that shows its status. */
function checkCopy(
  copy: KubeObject,
  { key, clusters, origin }: { key: string; clusters: Set<string>; origin: KubeObject | undefined },
  check: Check,
): void {
  const cluster = copy.metadata.labels?.[REMOTE_OBJECT_CLUSTER_LABEL] ?? '';
  const where = `copy ${copy.metadata.namespace ?? ''}/${copy.metadata.name ?? ''} (of ${key})`;
  check(
    INVARIANTS.ownNamespace,
    clusters.has(cluster) &&
      copy.metadata.namespace === cluster &&
      (copy.metadata.labels?.[TENANT_LABEL] ?? cluster) === cluster,
    () => `${where} is outside its tenant's namespace`,
  );
  check(
    INVARIANTS.liveOrigin,
    origin !== undefined && origin.metadata.deletionTimestamp === undefined,
    () => `${where} has ${origin === undefined ? 'no origin' : 'an origin being deleted'}`,
  );
  if (origin !== undefined && copy['status'] !== undefined) {
    check(
      INVARIANTS.statusUp,
      isDeepStrictEqual(copy['status'], origin['status']),
      () =>
        `${where} status ${JSON.stringify(copy['status'])} but the consumer has ${JSON.stringify(origin['status'])}`,
    );
  }
}

/** The service cluster's side, against the origins; returns how many copies it checked. */
async function checkCopies(scope: InvariantScope, origins: Map<string, KubeObject>, check: Check): Promise<number> {
  const { group, version, plural } = scope.resource;
  const clusters = new Set(scope.tenants.map((t) => t.workspace.cluster));
  const copies = (await scope.local.list(`/apis/${group}/${version}/${plural}`)).items.filter(
    (c) =>
      c.metadata.labels?.[AGENT_NAME_LABEL] === scope.agentName ||
      (c.metadata.annotations?.[REMOTE_OBJECT_NAME_ANNOTATION] !== undefined &&
        !(scope.otherAgents ?? []).includes(c.metadata.labels?.[AGENT_NAME_LABEL] ?? '')),
  );
  const copiesOf = new Map<string, number>();
  for (const copy of copies) {
    const key = copyOriginKey(copy);
    copiesOf.set(key, (copiesOf.get(key) ?? 0) + 1);
    checkCopy(copy, { key, clusters, origin: origins.get(key) }, check);
  }
  for (const [key, origin] of origins) {
    if (origin.metadata.deletionTimestamp !== undefined) continue;
    const n = copiesOf.get(key) ?? 0;
    check(INVARIANTS.oneCopy, n === 1, () => `${key} has ${n} copies`);
  }
  return copies.length;
}

/**
 * Polls checkInvariants until no violation is left or the time is up, and
 * adds the last result to the report. Returns how long convergence took.
 */
export async function waitInvariants(
  scope: InvariantScope,
  report: FaultReport,
  after: string,
  timeoutMs = 60_000,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    const result = await checkInvariants(scope).catch((err: unknown) => {
      const why = err instanceof Error ? err.message : String(err);
      return {
        checks: new Map<string, number>(),
        kcpObjects: 0,
        serviceObjects: 0,
        violations: [`could not read the objects: ${why}`],
      };
    });
    const elapsed = Date.now() - started;
    if (result.violations.length === 0 || elapsed > timeoutMs) {
      report.checked({ ...result, violations: result.violations.map((v) => `after ${after}: ${v}`) }, elapsed);
      console.log(
        `      after ${after}: ${result.kcpObjects} kcp + ${result.serviceObjects} service objects checked, converged in ${elapsed} ms, violations ${result.violations.length}`,
      );
      for (const v of result.violations.slice(0, 3)) console.log(`        ${v}`);
      return elapsed;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
