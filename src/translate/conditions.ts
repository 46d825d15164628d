import type { Condition } from '../apis/kcp.ts';

/**
 * Returns `conditions` with `next` set: the entry of the same type is
 * replaced, keeping its lastTransitionTime when the status did not change,
 * so that a reconcile that changes nothing produces an equal list.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  next: Omit<Condition, 'lastTransitionTime'>,
  now: string,
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const old = i >= 0 ? list[i] : undefined;
  const merged: Condition = {
    ...next,
    lastTransitionTime:
      old !== undefined && old.status === next.status && old.lastTransitionTime !== undefined
        ? old.lastTransitionTime
        : now,
  };
  if (i >= 0) list[i] = merged;
  else list.push(merged);
  return list;
}

/** True when `next` would change nothing but the timestamp. */
export function conditionUnchanged(
  conditions: readonly Condition[] | undefined,
  next: Omit<Condition, 'lastTransitionTime'>,
): boolean {
  const old = conditions?.find((c) => c.type === next.type);
  return (
    old !== undefined &&
    old.status === next.status &&
    old.reason === next.reason &&
    old.message === next.message &&
    old.observedGeneration === next.observedGeneration
  );
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
