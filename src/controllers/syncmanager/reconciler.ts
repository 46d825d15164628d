import type { CustomResourceDefinition } from '../../apis/apiextensions.ts';
import type { PublishedResource } from '../../apis/v1alpha1/published-resource.ts';
import type { Result } from '../../runtime/controller.ts';
import { findCondition } from '../../translate/conditions.ts';
import { canonicalJson } from '../../translate/crd-to-schema.ts';
import type { Requirement } from '../../translate/label-selector.ts';
import type { SyncTarget } from '../../translate/sync-target.ts';
import type { SyncBehaviour } from '../../sync/behaviour.ts';
import { planFor, type PublishPlan } from '../../sync/plan.ts';
import { publishConflicts } from '../../translate/publish-conflicts.ts';
import { CONDITION, type ConditionInput, isSelected } from '../shared/published-resources.ts';

export const CONTROLLER_NAME = 'syncmanager';

const STARTING_POLL_MS = 250;

export interface SyncManagerDeps {
  readonly agentName: string;
  readonly selector: readonly Requirement[];
  getPublishedResource(name: string): PublishedResource | undefined;
  /** The PublishedResources this agent handles, to find two that publish the same kcp resource. */
  listPublishedResources(): PublishedResource[];
  findSource(group: string, kind: string): Promise<CustomResourceDefinition | undefined>;
  /**
   * Makes sure the sync of `name` runs with exactly this target: a running
   * sync with another fingerprint is stopped first (an edited
   * PublishedResource replaces its sync, never duplicates it).
   * Returns whether the sync's caches have loaded.
   */
  ensureSync(
    name: string,
    plan: { target: SyncTarget; behaviour: SyncBehaviour },
    fingerprint: string,
  ): Promise<boolean>;
  stopSync(name: string): Promise<void>;
  writeStatus(pr: PublishedResource, change: { conditions: ConditionInput[] }): Promise<boolean>;
}

/** Starts, replaces or stops the sync of one PublishedResource. */
export async function reconcileSyncManager(name: string, deps: SyncManagerDeps): Promise<Result | undefined> {
  const pr = deps.getPublishedResource(name);
  if (pr === undefined || !isSelected(pr, deps.selector)) {
    await deps.stopSync(name);
    return undefined;
  }
  const blocked = blockedReason(pr, deps.listPublishedResources());
  if (blocked !== undefined) {
    await deps.stopSync(name);
    await deps.writeStatus(pr, { conditions: [{ type: CONDITION.syncing, status: 'False', ...blocked }] });
    return undefined;
  }
  const crd = await deps.findSource(pr.spec.resource.apiGroup, pr.spec.resource.kind);
  if (crd === undefined) {
    await deps.stopSync(name);
    return undefined;
  }
  let plan: PublishPlan;
  try {
    plan = planFor(pr, crd, deps.agentName);
  } catch (err) {
    // The schema controller reports the invalid field; nothing can sync.
    await deps.stopSync(name);
    await deps.writeStatus(pr, {
      conditions: [
        {
          type: CONDITION.syncing,
          status: 'False',
          reason: 'InvalidSpec',
          message: err instanceof Error ? err.message : String(err),
        },
      ],
    });
    return undefined;
  }
  const synced = await deps.ensureSync(name, plan, canonicalJson(plan.target));
  await deps.writeStatus(pr, {
    conditions: [
      synced
        ? {
            type: CONDITION.syncing,
            status: 'True',
            reason: 'Syncing',
            message: 'objects are synced between kcp and the service cluster',
          }
        : {
            type: CONDITION.syncing,
            status: 'False',
            reason: 'Starting',
            message: 'loading objects from kcp and the service cluster',
          },
    ],
  });
  return synced ? undefined : { requeueAfterMs: STARTING_POLL_MS };
}

/** Why a PublishedResource must not sync now, as a condition reason and message. */
function blockedReason(
  pr: PublishedResource,
  all: PublishedResource[],
): { reason: string; message: string } | undefined {
  if (pr.spec.synchronization?.enabled === false) {
    return { reason: 'Disabled', message: 'synchronization is disabled; the API is only published' };
  }
  const schemaReady = findCondition(pr.status?.conditions, CONDITION.schemaReady);
  if (pr.status?.resourceSchemaName === undefined || schemaReady?.status !== 'True') {
    return { reason: 'WaitingForSchema', message: 'waiting for the APIResourceSchema to be published' };
  }
  const conflict = publishConflicts(all).get(pr.metadata.name ?? '');
  if (conflict !== undefined) return { reason: 'Conflict', message: conflict };
  return undefined;
}
