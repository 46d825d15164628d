import type { Condition } from '../apis/kcp.ts';
import { RELATED_RESOURCES_CONDITION } from '../apis/v1alpha1/constants.ts';
import type { KubeObject } from '../kube/object.ts';
import { conditionUnchanged, findCondition, setCondition } from '../translate/conditions.ts';
import { objectPath } from '../translate/sync-target.ts';
import type { RelatedPass } from './related-syncer.ts';
import type { RelatedProblem } from './related-problems.ts';

/**
 * Reports the related sync on the consumer object: a Warning event per
 * problem when the outcome changes (so a lasting problem is not an event
 * storm), and the RelatedResourcesSynced condition through the /status
 * subresource when the type has one. "Not yet" (an object that does not
 * exist yet) changes nothing. Returns whether it wrote the consumer object.
 */
export async function writeRelatedCondition(
  p: RelatedPass,
  problems: readonly RelatedProblem[],
  missing: boolean,
): Promise<boolean> {
  if (problems.length === 0 && missing) return false;
  const [first] = problems;
  const next: Omit<Condition, 'lastTransitionTime'> =
    first === undefined
      ? {
          type: RELATED_RESOURCES_CONDITION,
          status: 'True',
          reason: 'Synced',
          message: 'All related objects are in sync.',
        }
      : {
          type: RELATED_RESOURCES_CONDITION,
          status: 'False',
          reason: first.reason,
          message: problems.map((x) => x.message).join('; '),
        };
  const conditions = statusConditions(p.remote);
  if (!p.target.remote.hasStatus) {
    for (const problem of problems)
      p.io.events.record(p.client, p.remote, { type: 'Warning', reason: problem.reason, message: problem.message });
    return false;
  }
  if (conditionUnchanged(conditions, next)) return false;
  for (const problem of problems)
    p.io.events.record(p.client, p.remote, { type: 'Warning', reason: problem.reason, message: problem.message });
  const status = { ...statusOf(p.remote), conditions: setCondition(conditions, next, new Date().toISOString()) };
  const path = `${objectPath(p.target.remote, p.ref.name, p.ref.namespace)}/status`;
  p.io.wroteRemote(p.key, p.remote.metadata.resourceVersion, await p.client.replace(path, { ...p.remote, status }));
  return true;
}

/**
 * The status to send up for the primary, keeping the RelatedResourcesSynced
 * condition the consumer object already has: the copy's status does not
 * know it, and dropping it would make the two writers take turns.
 */
export function withRelatedCondition(status: unknown, remote: KubeObject): unknown {
  const kept = findCondition(statusConditions(remote), RELATED_RESOURCES_CONDITION);
  if (kept === undefined) return status;
  const base =
    typeof status === 'object' && status !== null && !Array.isArray(status) ? (status as Record<string, unknown>) : {};
  const conditions = Array.isArray(base['conditions'])
    ? (base['conditions'] as Condition[]).filter((c) => c.type !== RELATED_RESOURCES_CONDITION)
    : [];
  return { ...base, conditions: [...conditions, kept] };
}

function statusOf(obj: KubeObject): Record<string, unknown> {
  const s = obj['status'];
  return typeof s === 'object' && s !== null && !Array.isArray(s) ? (s as Record<string, unknown>) : {};
}

function statusConditions(obj: KubeObject): Condition[] | undefined {
  const c = statusOf(obj)['conditions'];
  return Array.isArray(c) ? (c as Condition[]) : undefined;
}
