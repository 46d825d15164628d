import { CLEANUP_FINALIZER } from '../apis/v1alpha1/constants.ts';
import { sha1Hex } from './hashes.ts';

/** The prefix of every cleanup finalizer: the part before the name is upstream's domain. */
const FINALIZER_PREFIX = 'syncagent.kcp.io/';
/** The name part of a qualified name (after the prefix) is at most 63 characters. */
const MAX_NAME_LENGTH = 63;
const NAME_START = 'cleanup-';
/** Hex characters of the agent name's hash when the name is too long to spell out. */
const HASH_LENGTH = 10;

/**
 * The finalizer an agent puts on the consumer objects (and `origin: kcp`
 * related objects) it syncs: `syncagent.kcp.io/cleanup-<agent name>`. One per
 * agent, so two agents that hold the same kcp object (one as its primary, one
 * as a related object; or two agents mirroring one export) each wait for their
 * own cleanup and never remove each other's (upstream #117, #172). An agent
 * name too long for the 63 characters after the prefix keeps its start and
 * ends in a hash of the whole name, so the result is stable and distinct.
 */
export function cleanupFinalizerFor(agentName: string): string {
  const full = `${NAME_START}${agentName}`;
  if (full.length <= MAX_NAME_LENGTH) return `${FINALIZER_PREFIX}${full}`;
  const keep = MAX_NAME_LENGTH - NAME_START.length - HASH_LENGTH - 1;
  return `${FINALIZER_PREFIX}${NAME_START}${agentName.slice(0, keep)}-${sha1Hex(agentName).slice(0, HASH_LENGTH)}`;
}

/**
 * Upstream's finalizer, shared by every agent: put there by upstream v0.7 or
 * by this agent before it had one of its own. Still honoured (see
 * holdsCleanup) and dropped with ours on release.
 */
export const LEGACY_CLEANUP_FINALIZER = CLEANUP_FINALIZER;

/** Whether an object is held for the agent whose finalizer is `own`: by its own finalizer or the legacy one. */
export function holdsCleanup(finalizers: readonly string[] | undefined, own: string): boolean {
  return (finalizers ?? []).some((f) => f === own || f === LEGACY_CLEANUP_FINALIZER);
}

/**
 * The finalizer list with `own` added, or undefined when it is there already.
 * The legacy finalizer stays: an upstream agent holding the same object as a
 * related object relies on it and would put it back (a write fight), so it
 * only goes when the object is released (releasedFinalizers).
 */
export function withOwnFinalizer(finalizers: readonly string[] | undefined, own: string): string[] | undefined {
  const list = finalizers ?? [];
  return list.includes(own) ? undefined : [...list, own];
}

/**
 * The finalizer list once the agent's cleanup is done: without `own` and
 * without the legacy finalizer (which an older version of this agent, or
 * upstream's takeover, left for the same cleanup); every other finalizer,
 * including other agents' own ones, stays.
 */
export function releasedFinalizers(finalizers: readonly string[] | undefined, own: string): string[] {
  return (finalizers ?? []).filter((f) => f !== own && f !== LEGACY_CLEANUP_FINALIZER);
}
