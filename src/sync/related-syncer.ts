import {
  RELATED_OWNER_ANNOTATION,
  RELATED_RESOURCES_ANNOTATION_PREFIX,
  RELATED_STATE_ANNOTATION,
} from '../apis/v1alpha1/constants.ts';
import { isAlreadyExists, isNotFound } from '../kube/errors.ts';
import type { KubeObject } from '../kube/object.ts';
import type { RestClient } from '../kube/rest-client.ts';
import type { Result } from '../runtime/controller.ts';
import { cleanupFinalizerFor, withOwnFinalizer } from '../translate/cleanup-finalizer.ts';
import { jsonEqual } from '../translate/merge-patch.ts';
import { isKcpBuiltInGroup } from '../translate/related/claims.ts';
import {
  desiredRelatedCopy,
  hashedState,
  relatedOwner,
  relatedPatch,
  relatedStates,
  serializeStates,
  stateKey,
} from '../translate/related/copy.ts';
import { exclusiveUseRefusal } from '../translate/related/ownership.ts';
import { resolveRelated, type RelatedPair } from '../translate/related/resolve.ts';
import { relatedCollectionPath, type RelatedRule, type Side, typeOn } from '../translate/related/rule.ts';
import { objectPath } from '../translate/sync-target.ts';
import type { Pass } from './pass.ts';
import {
  clientFor,
  dropFinalizer,
  getOptional,
  lister,
  locateContext,
  pathOf,
  removeServiceCopy,
} from './related-access.ts';
import { inWorkspace, problemOf, RELATED_REASONS, RelatedProblem, typeName } from './related-problems.ts';
import { writeRelatedCondition } from './related-status.ts';

/** How soon to look again for a related object that does not exist yet (a watch notices sooner). */
const NOT_YET_RETRY_MS = 5_000;
/** How soon to look again at a rule that was refused or invalid: slow, the fix is someone's edit. */
const PROBLEM_RETRY_MS = 60_000;
/**
 * How often related objects in sync are looked at again without a change to
 * the consumer object: catches changes of unwatched related objects (rules
 * without `watch`), slowly.
 */
const RESYNC_MS = 300_000;

/** What the related sync needs of a sync pass of one consumer object. */
export interface RelatedPass extends Pass {
  /** The copy exists: related objects are synced once it is in sync. */
  readonly local: KubeObject;
  readonly clusterPath: string;
}

type PairOutcome = 'wrote' | 'missing' | { readonly record?: Record<string, string> | undefined };

/**
 * Syncs the related objects of a consumer object whose copy is in sync, one
 * write per pass: each rule in order, each of its objects sorted; a rule
 * that fails (refused, invalid, claim not accepted) is reported and skipped,
 * the others go on. Then the primary's annotations, the last-known states
 * and the RelatedResourcesSynced condition.
 */
export async function syncRelatedObjects(p: RelatedPass): Promise<Result | undefined> {
  const rules = p.io.behaviour.related;
  if (rules.length === 0) return undefined;
  const states = relatedStates(p.local);
  const records: Record<string, string> = {};
  const problems: RelatedProblem[] = [];
  let missing = false;
  for (const rule of rules) {
    const outcome = await syncRuleOrReport(p, rule, { states, records, problems });
    if (outcome === 'wrote') return { requeueAfterMs: 0 };
    if (outcome === 'missing') missing = true;
  }
  if (await writeRecords(p, records)) return undefined;
  if (await writeStates(p, states)) return { requeueAfterMs: 0 };
  if (await writeRelatedCondition(p, problems, missing)) return undefined;
  if (problems.length > 0) return { requeueAfterMs: PROBLEM_RETRY_MS };
  return { requeueAfterMs: missing ? NOT_YET_RETRY_MS : RESYNC_MS };
}

/** Syncs one rule; a problem with it is collected (the other rules go on), other errors are thrown. */
async function syncRuleOrReport(
  p: RelatedPass,
  rule: RelatedRule,
  out: { states: Record<string, unknown>; records: Record<string, string>; problems: RelatedProblem[] },
): Promise<'wrote' | 'missing' | 'in-sync' | 'failed'> {
  try {
    return await syncRule(p, rule, out.states, out.records);
  } catch (err) {
    const problem = problemOf(rule, err);
    if (problem === undefined) throw err;
    p.io.logger.info('Related resource not synced', {
      key: p.key,
      rule: rule.field,
      reason: problem.reason,
      error: err instanceof Error ? err.message : String(err),
    });
    out.problems.push(problem);
    return 'failed';
  }
}

async function syncRule(
  p: RelatedPass,
  rule: RelatedRule,
  states: Record<string, unknown>,
  records: Record<string, string>,
): Promise<'wrote' | 'missing' | 'in-sync'> {
  const kinds = await servedKinds(p, rule);
  const pairs = await resolveRelated(rule, locateContext(p), lister(p, rule), p.target.local.hasStatus);
  let result: 'missing' | 'in-sync' = 'in-sync';
  for (const [index, pair] of pairs.entries()) {
    if (!pair.serviceNamespaceTrusted) {
      throw new RelatedProblem(
        RELATED_REASONS.refused,
        `${rule.field}: the service-side namespace is derived from values this object controls and is not its own`,
      );
    }
    const outcome = await syncPair(p, rule, pair, { kinds, states });
    if (outcome === 'wrote') return 'wrote';
    if (outcome === 'missing') result = 'missing';
    else if (outcome.record !== undefined)
      records[`${RELATED_RESOURCES_ANNOTATION_PREFIX}${rule.identifier}.${index}`] = JSON.stringify(outcome.record);
  }
  return result;
}

/** The Kind of the rule's type on each side; throws when a side does not serve it. */
async function servedKinds(p: RelatedPass, rule: RelatedRule): Promise<Record<Side, string>> {
  const kinds: Record<Side, string> = { kcp: '', service: '' };
  for (const side of ['kcp', 'service'] as const) {
    const type = typeOn(rule, side);
    const served = await inWorkspace(rule, () => p.io.servedResource(side, p.ref.cluster, type));
    if (served === undefined) {
      const where = side === 'kcp' ? 'kcp' : 'the service cluster';
      const unaccepted = side === 'kcp' && (isKcpBuiltInGroup(type.group) || rule.identityHash !== undefined);
      throw new RelatedProblem(
        unaccepted ? RELATED_REASONS.notAccepted : RELATED_REASONS.invalid,
        unaccepted
          ? `${rule.field}: ${typeName(rule)} is not available in this workspace: the APIBinding has not accepted its permission claim`
          : `${rule.field}: ${where} does not serve ${type.resource} in ${type.group === '' ? 'the core group' : type.group}/${type.version}`,
      );
    }
    if (!served.namespaced)
      throw new RelatedProblem(
        RELATED_REASONS.invalid,
        `${rule.field}: ${type.resource} is cluster-scoped; related objects must be namespaced`,
      );
    kinds[side] = served.kind;
  }
  return kinds;
}

const other = (side: Side): Side => (side === 'kcp' ? 'service' : 'kcp');

/** A related object found at its origin, for one consumer object. */
interface Found {
  readonly pair: RelatedPair;
  readonly origin: KubeObject;
  /** The owner value of the consumer object (see relatedOwner). */
  readonly owner: string;
}

interface PairContext {
  readonly kinds: Record<Side, string>;
  readonly states: Record<string, unknown>;
}

/** Brings one related object to its destination; at most one write. */
async function syncPair(p: RelatedPass, rule: RelatedRule, pair: RelatedPair, ctx: PairContext): Promise<PairOutcome> {
  const origin = await getOptional(rule, clientFor(p, rule.origin), pathOf(rule, rule.origin, pair[rule.origin]));
  if (origin === undefined) return 'missing';
  const found: Found = { pair, origin, owner: relatedOwner(p.target.publishedResource, p.key) };
  const guarded =
    rule.origin === 'kcp' ? await guardKcpOrigin(p, rule, found) : await claimServiceOrigin(p, rule, found);
  return guarded ?? syncDestination(p, rule, found, ctx);
}

/** Creates or patches the copy, then its status; records where a service-origin object came from. */
async function syncDestination(
  p: RelatedPass,
  rule: RelatedRule,
  found: Found,
  ctx: PairContext,
): Promise<PairOutcome> {
  const { pair, origin, owner } = found;
  const destSide = other(rule.origin);
  const destClient = clientFor(p, destSide);
  const destPath = pathOf(rule, destSide, pair[destSide]);
  const dest = await getOptional(rule, destClient, destPath);
  if (destSide === 'service') refuseForeignCopy(rule, dest, { owner, exclusive: pair.exclusive });
  const desired = desiredRelatedCopy(rule, origin, pair[destSide], {
    kind: ctx.kinds[destSide],
    existing: dest,
    owner: destSide === 'service' ? owner : undefined,
  });
  if (dest === undefined) {
    await createRelated(p, rule, destSide, desired);
    return 'wrote';
  }
  if (dest.metadata.deletionTimestamp !== undefined) return 'missing';
  const key = stateKey(rule, pair.kcp);
  const patch = withOwner(
    relatedPatch(ctx.states[key], desired, dest),
    dest,
    destSide === 'service' ? owner : undefined,
  );
  if (patch !== undefined) {
    const metadata = {
      ...(patch['metadata'] as Record<string, unknown> | undefined),
      resourceVersion: dest.metadata.resourceVersion,
    };
    await inWorkspace(rule, () => destClient.patch(destPath, { ...patch, metadata }, 'merge'));
    return 'wrote';
  }
  ctx.states[key] = hashedState(desired);
  if (await syncRelatedStatus(p, rule, { client: destClient, path: destPath, dest, origin })) return 'wrote';
  if (rule.origin !== 'service') return {};
  // As upstream v0.7.0 records it (measured by the compatibility e2e): where
  // the copy is in kcp, with the origin's type. It names no service namespace.
  return {
    record: {
      namespace: pair.kcp.namespace,
      name: pair.kcp.name,
      apiVersion: origin.apiVersion ?? '',
      kind: origin.kind ?? '',
    },
  };
}

/**
 * A service-side destination made for another consumer object is never
 * overwritten. One without an owner (made by hand, or by upstream's agent) is
 * taken over only where the provider's rules alone put it; where the consumer
 * chose the place, it is refused.
 */
function refuseForeignCopy(
  rule: RelatedRule,
  dest: KubeObject | undefined,
  mine: { owner: string; exclusive: boolean },
): void {
  const recorded = dest?.metadata.annotations?.[RELATED_OWNER_ANNOTATION];
  if (dest === undefined || recorded === mine.owner || (recorded === undefined && !mine.exclusive)) return;
  throw new RelatedProblem(
    RELATED_REASONS.refused,
    `${rule.field}: an object the agent did not make for this one is in the way on the service side`,
  );
}

/** Adds the owner annotation to a patch when a taken-over destination lacks it. */
function withOwner(
  patch: Record<string, unknown> | undefined,
  dest: KubeObject,
  owner: string | undefined,
): Record<string, unknown> | undefined {
  if (owner === undefined || dest.metadata.annotations?.[RELATED_OWNER_ANNOTATION] === owner) return patch;
  const metadata = (patch?.['metadata'] ?? {}) as Record<string, unknown>;
  const annotations = (metadata['annotations'] ?? {}) as Record<string, unknown>;
  return { ...patch, metadata: { ...metadata, annotations: { ...annotations, [RELATED_OWNER_ANNOTATION]: owner } } };
}

/** `syncStatus`: the origin's status onto the copy through its /status subresource. Returns whether it wrote. */
async function syncRelatedStatus(
  p: RelatedPass,
  rule: RelatedRule,
  at: { client: RestClient; path: string; dest: KubeObject; origin: KubeObject },
): Promise<boolean> {
  if (!rule.syncStatus || at.origin['status'] === undefined) return false;
  // The rule's status mutations shape what the copy gets, as spec mutations shape its spec.
  const status = rule.statusMutator.apply(at.origin, at.dest)['status'];
  if (status === undefined || jsonEqual(status, at.dest['status'])) return false;
  await inWorkspace(rule, () => at.client.replace(`${at.path}/status`, { ...at.dest, status })).catch(
    (err: unknown) => {
      if (!isNotFound(err)) throw err;
      p.io.logger.info('Related type has no status subresource', { key: p.key, rule: rule.field });
    },
  );
  return true;
}

/**
 * A consumer's object going down: our finalizer keeps it until its copy is
 * gone; when the consumer deletes it, the copy goes first. Returns an outcome
 * when this pass did something (or must wait), undefined to go on syncing.
 */
async function guardKcpOrigin(p: RelatedPass, rule: RelatedRule, found: Found): Promise<PairOutcome | undefined> {
  const { origin, pair } = found;
  if (origin.metadata.deletionTimestamp !== undefined) {
    return (await removeServiceCopy(p, rule, pair, found.owner)) || (await dropFinalizer(p, rule, pair, origin))
      ? 'wrote'
      : 'missing';
  }
  const finalizers = withOwnFinalizer(origin.metadata.finalizers, cleanupFinalizerFor(p.target.agentName));
  if (finalizers === undefined) return undefined;
  const path = pathOf(rule, 'kcp', pair.kcp);
  await inWorkspace(rule, () =>
    p.client.patch(path, { metadata: { resourceVersion: origin.metadata.resourceVersion, finalizers } }, 'merge'),
  );
  return 'wrote';
}

/**
 * Records this consumer object as the owner of a service-side object chosen
 * by consumer-controlled values, refusing one that belongs to someone else.
 * The write is guarded by resourceVersion, so of two consumer objects racing
 * for the same object only one wins. Returns 'wrote' when it wrote.
 */
async function claimServiceOrigin(p: RelatedPass, rule: RelatedRule, found: Found): Promise<PairOutcome | undefined> {
  if (!found.pair.exclusive) return undefined;
  const { origin, owner } = found;
  const namespace = origin.metadata.namespace ?? '';
  const shared =
    namespace !== (p.local.metadata.namespace ?? '') || p.io.hasCopiesOfOtherClusters(namespace, p.ref.cluster);
  const refusal = exclusiveUseRefusal(origin, p.local, owner, shared);
  if (refusal !== undefined) throw new RelatedProblem(RELATED_REASONS.refused, `${rule.field}: ${refusal}`);
  if (origin.metadata.annotations?.[RELATED_OWNER_ANNOTATION] === owner) return undefined;
  const path = pathOf(rule, 'service', { namespace, name: origin.metadata.name ?? '' });
  await p.io.local.patch(
    path,
    {
      metadata: {
        resourceVersion: origin.metadata.resourceVersion,
        annotations: { [RELATED_OWNER_ANNOTATION]: owner },
      },
    },
    'merge',
  );
  return 'wrote';
}

async function createRelated(p: RelatedPass, rule: RelatedRule, side: Side, desired: KubeObject): Promise<void> {
  const namespace = desired.metadata.namespace ?? '';
  const client = clientFor(p, side);
  if (side === 'service') await p.io.ensureNamespace(namespace);
  else if (namespace !== p.ref.namespace) {
    await inWorkspace(rule, () =>
      client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }),
    ).catch((err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
    });
  }
  await inWorkspace(rule, () => client.create(relatedCollectionPath(typeOn(rule, side), namespace), desired));
}

/** Upstream's `related-resources.syncagent.kcp.io/<identifier>.<index>` annotations on the consumer object. */
async function writeRecords(p: RelatedPass, records: Record<string, string>): Promise<boolean> {
  const current = Object.fromEntries(
    Object.entries(p.remote.metadata.annotations ?? {}).filter(([k]) =>
      k.startsWith(RELATED_RESOURCES_ANNOTATION_PREFIX),
    ),
  );
  const ids = new Set(p.io.behaviour.related.map((r) => r.identifier));
  const changes: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(records)) if (current[k] !== v) changes[k] = v;
  // Entries of this agent's rules that no longer resolve; others' are left alone.
  for (const k of Object.keys(current)) {
    const id = k.slice(RELATED_RESOURCES_ANNOTATION_PREFIX.length).replace(/\.\d+$/, '');
    if (records[k] === undefined && ids.has(id)) changes[k] = null;
  }
  if (Object.keys(changes).length === 0) return false;
  const path = objectPath(p.target.remote, p.ref.name, p.ref.namespace);
  const written = await p.client.patch(
    path,
    { metadata: { resourceVersion: p.remote.metadata.resourceVersion, annotations: changes } },
    'merge',
  );
  p.io.wroteRemote(p.key, p.remote.metadata.resourceVersion, written);
  return true;
}

/** The last-known states of the related copies, on the service-side copy of the consumer object. */
async function writeStates(p: RelatedPass, states: Record<string, unknown>): Promise<boolean> {
  const serialized = serializeStates(states);
  const current = p.local.metadata.annotations?.[RELATED_STATE_ANNOTATION];
  if (current === serialized || (current === undefined && serialized === '{}')) return false;
  const path = objectPath(p.target.local, p.local.metadata.name ?? '', p.local.metadata.namespace);
  const basedOn = p.local.metadata.resourceVersion;
  p.io.wroteLocal(
    basedOn,
    await p.io.local.patch(
      path,
      { metadata: { resourceVersion: basedOn, annotations: { [RELATED_STATE_ANNOTATION]: serialized } } },
      'merge',
    ),
  );
  return true;
}
