import type { Condition } from '../../apis/kcp.ts';
import {
  CONDITION_TYPES,
  GROUP,
  PLURAL,
  VERSION,
  type PublishedResource,
} from '../../apis/v1alpha1/published-resource.ts';
import type { RestClient } from '../../kube/rest-client.ts';
import { conditionUnchanged, setCondition } from '../../translate/conditions.ts';
import { deepEqual } from '../../translate/deep-equal.ts';
import { matchesSelector, type Requirement } from '../../translate/label-selector.ts';

export const PR_PATH = `/apis/${GROUP}/${VERSION}/${PLURAL}`;

/** The condition types a PublishedResource reports (the CRD's printer columns show them). */
export const CONDITION = CONDITION_TYPES;

export type ConditionInput = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>;

/** True when this agent should act on the PublishedResource at all. */
export function isSelected(pr: PublishedResource, selector: readonly Requirement[]): boolean {
  return pr.metadata.deletionTimestamp === undefined && matchesSelector(selector, pr.metadata.labels);
}

/**
 * Writes conditions (and optionally the schema name) to a PublishedResource's
 * status, unless nothing would change. Uses the cached resourceVersion, so a
 * stale cache ends in a conflict and a quiet retry rather than lost updates.
 * Returns true when it wrote.
 */
export async function writeStatus(
  client: RestClient,
  pr: PublishedResource,
  change: { conditions: ConditionInput[]; resourceSchemaName?: string },
  now: string,
): Promise<boolean> {
  const status = structuredClone(pr.status ?? {});
  const generation = pr.metadata.generation;
  let conditions = (status.conditions ?? []) as Condition[];
  for (const c of change.conditions) {
    const next = { ...c, ...(generation === undefined ? {} : { observedGeneration: generation }) };
    if (!conditionUnchanged(conditions, next)) conditions = setCondition(conditions, next, now);
  }
  const updated = {
    ...status,
    conditions,
    ...(change.resourceSchemaName === undefined ? {} : { resourceSchemaName: change.resourceSchemaName }),
    ...(generation === undefined ? {} : { observedGeneration: generation }),
  };
  if (deepEqual(updated, pr.status)) return false;
  await client.replace(`${PR_PATH}/${pr.metadata.name ?? ''}/status`, { ...pr, status: updated });
  return true;
}
