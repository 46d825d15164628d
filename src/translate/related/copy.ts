import { RELATED_OWNER_ANNOTATION, RELATED_STATE_ANNOTATION } from '../../apis/v1alpha1/constants.ts';
import { isRecord, type KubeObject } from '../../kube/object.ts';
import { sha1Hex } from '../hashes.ts';
import { applyMergePatch, createMergePatch, jsonEqual } from '../merge-patch.ts';
import { stripForState, stripMetadataForCopy } from '../sync-metadata.ts';
import type { RelatedPlacement } from './resolve.ts';
import { relatedApiVersion, type RelatedRule } from './rule.ts';

/**
 * The copy of a related object on its destination side: the origin's
 * content with server-owned and bookkeeping metadata stripped, the
 * destination type and placement, the rule's spec mutations applied, no
 * status (that goes through the status subresource with `syncStatus`).
 * Service-side copies carry the owner annotation, so no other consumer
 * object can ever take them over.
 */
export function desiredRelatedCopy(
  rule: RelatedRule,
  origin: KubeObject,
  placement: RelatedPlacement,
  opts: { kind: string; existing?: KubeObject | undefined; owner?: string | undefined },
): KubeObject {
  const stripped = stripMetadataForCopy(origin);
  delete stripped['status'];
  const base: KubeObject = {
    ...stripped,
    apiVersion: relatedApiVersion(rule.destinationType),
    kind: opts.kind,
    metadata: { ...stripped.metadata, name: placement.name, namespace: placement.namespace },
  };
  delete base.metadata.generateName;
  const mutated = rule.specMutator.apply(base, opts.existing);
  if (opts.owner === undefined) return mutated;
  return {
    ...mutated,
    metadata: {
      ...mutated.metadata,
      annotations: { ...mutated.metadata.annotations, [RELATED_OWNER_ANNOTATION]: opts.owner },
    },
  };
}

/** The owner value of a related object: `<publishedResource>/<queue key of the consumer object>`. */
export const relatedOwner = (publishedResource: string, remoteKey: string): string =>
  `${publishedResource}/${remoteKey}`;

/** The key of one related copy in the state map. */
export const stateKey = (rule: RelatedRule, kcp: RelatedPlacement): string =>
  `${rule.identifier}/${kcp.namespace}/${kcp.name}`;

/**
 * A document with every leaf (scalar or array) replaced by a short hash of
 * its JSON: enough to tell which fields changed since the last sync, while
 * the state annotation never holds the values (a Secret's data stays in the
 * Secret).
 */
export function hashLeaves(doc: unknown): unknown {
  if (!isRecord(doc)) return sha1Hex(JSON.stringify(doc) ?? 'null').slice(0, 16);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (v !== undefined && v !== null)
      Object.defineProperty(out, k, { value: hashLeaves(v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The state of a copy as recorded: its synced content, hashed. */
export function hashedState(desired: KubeObject): unknown {
  return hashLeaves(stripForState(desired, ['status']));
}

/**
 * The merge patch for an existing related copy. With a last-known state it
 * is the three-way patch of upstream (only what changed at the origin since
 * the last sync, so fields changed or defaulted on the destination survive;
 * fields the origin dropped are removed); without one it adds what is
 * missing or different and removes nothing. Undefined when applying it
 * would change nothing.
 */
export function relatedPatch(
  lastHashed: unknown,
  desired: KubeObject,
  current: KubeObject,
): Record<string, unknown> | undefined {
  const state = stripForState(desired, ['status']);
  const patch =
    lastHashed === undefined
      ? additive(state, current)
      : fillValues(createMergePatch(lastHashed, hashLeaves(state)), state);
  if (patch === undefined) return undefined;
  return jsonEqual(applyMergePatch(current, patch), current) ? undefined : patch;
}

/** Replaces the hashes in a patch over hashed documents with the values at the same paths. */
function fillValues(
  hashedPatch: Record<string, unknown> | undefined,
  values: unknown,
): Record<string, unknown> | undefined {
  if (hashedPatch === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(hashedPatch)) {
    const value = isRecord(values) ? values[k] : undefined;
    const filled =
      v === null ? null : isRecord(v) && isRecord(value) ? (fillValues(v, value) ?? {}) : structuredClone(value);
    Object.defineProperty(out, k, { value: filled, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The keys of `desired` whose values `current` lacks or has different. */
function additive(desired: Record<string, unknown>, current: unknown): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(desired)) {
    if (v === undefined || v === null) continue;
    const cur = isRecord(current) ? current[k] : undefined;
    const sub = isRecord(v) && isRecord(cur) ? additive(v, cur) : jsonEqual(v, cur) ? undefined : structuredClone(v);
    if (sub !== undefined)
      Object.defineProperty(out, k, { value: sub, enumerable: true, writable: true, configurable: true });
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The related-state map recorded on a copy; {} when missing or unreadable. */
export function relatedStates(local: KubeObject): Record<string, unknown> {
  const raw = local.metadata.annotations?.[RELATED_STATE_ANNOTATION];
  if (raw === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** The state map serialized deterministically (sorted keys), for the annotation. */
export function serializeStates(states: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(states).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}
