import { AGENT_NAME_LABEL, NAMESPACE_CREATED_BY_LABEL } from '../apis/v1alpha1/constants.ts';
import type { KubeObject } from '../kube/object.ts';

/** One object found in a namespace, reduced to what the cleanup decides on. */
export interface NamespaceEntry {
  /** `<resource>.<group>` as discovery names it (`configmaps`, `crontabs.example.com`). */
  readonly resource: string;
  readonly name: string;
  /** Its agent-name label, if any. */
  readonly agent: string | undefined;
  /** It has owner references: the garbage collector may be about to remove it. */
  readonly owned: boolean;
}

/** What the cleanup learnt about a namespace's contents. */
export type NamespaceContents =
  | { readonly complete: true; readonly entries: readonly NamespaceEntry[] }
  /**
   * A type could not be listed (403, error, a list too long to look through):
   * the contents are unknown. `mayPass`: the next look may well succeed (not a 403).
   */
  | { readonly complete: false; readonly why: string; readonly mayPass: boolean };

export type NamespaceVerdict =
  | { readonly action: 'delete' }
  | { readonly action: 'keep'; readonly why: string }
  /**
   * Only objects expected to go are left (ones with owners, which the garbage
   * collector removes; another agent's copies, whose consumers delete them):
   * look again in `afterMs`.
   */
  | { readonly action: 'recheck'; readonly why: string; readonly afterMs: number };

/** Garbage collection of what an operator made for a copy takes seconds. */
const RECHECK_OWNED_MS = 10_000;
/** Another agent's copies live as long as their consumers want: look rarely. */
const RECHECK_OTHER_AGENT_MS = 30_000;
/**
 * Contents that could not be listed completely (more objects of a type than
 * one short list holds, a server error): often another agent's copies on
 * their way out, which nothing of ours is told about. Seen in the long fault
 * soak: two agents' copies sharing namespaces were deleted together, each
 * agent last looked while the other's were still there, and the namespaces
 * stayed.
 */
const RECHECK_UNKNOWN_MS = 30_000;

/**
 * Objects Kubernetes itself puts into every namespace, and events: none of
 * them is anyone's data.
 */
function isHousekeeping(e: NamespaceEntry): boolean {
  if (e.resource === 'events' || e.resource === 'events.events.k8s.io') return true;
  if (e.resource === 'serviceaccounts' && e.name === 'default') return true;
  return e.resource === 'configmaps' && e.name === 'kube-root-ca.crt';
}

/**
 * Whether the agent deletes a namespace. Only one it created itself (the
 * label is set at creation), that is not going away already, whose contents
 * are completely known, and that holds nothing but Kubernetes' housekeeping:
 * no copy of ours (of any PublishedResource) and nothing of anybody else. An
 * object of someone else keeps the namespace for good: an operator's data is
 * worth more than a leftover namespace. Objects with owner references are
 * usually on their way out through the garbage collector, and another agent's
 * copies go with their consumer objects: look again later. (An object of
 * someone else that carries an agent label counts as that agent's copy.)
 */
export function namespaceVerdict(ns: KubeObject, agentName: string, contents: NamespaceContents): NamespaceVerdict {
  if (ns.metadata.labels?.[NAMESPACE_CREATED_BY_LABEL] !== agentName)
    return { action: 'keep', why: 'not created by this agent' };
  if (ns.metadata.deletionTimestamp !== undefined) return { action: 'keep', why: 'already being deleted' };
  if (!contents.complete) {
    const why = `contents unknown: ${contents.why}`;
    return contents.mayPass ? { action: 'recheck', why, afterMs: RECHECK_UNKNOWN_MS } : { action: 'keep', why };
  }
  return contentsVerdict(
    contents.entries.filter((e) => !isHousekeeping(e)),
    agentName,
  );
}

/** The verdict on a namespace of ours by what is left in it besides housekeeping. */
function contentsVerdict(left: readonly NamespaceEntry[], agentName: string): NamespaceVerdict {
  // A copy of ours: its deletion queues the namespace again.
  const ours = left.find((e) => e.agent === agentName);
  if (ours !== undefined) return { action: 'keep', why: `still holds a copy (${ours.resource} ${ours.name})` };
  const foreign = left.find((e) => !e.owned && e.agent === undefined);
  if (foreign !== undefined)
    return { action: 'keep', why: `holds ${foreign.resource} ${foreign.name}, not the agent's` };
  const otherAgent = left.find((e) => e.agent !== undefined);
  if (otherAgent !== undefined) {
    const why = `holds a copy of agent ${otherAgent.agent ?? ''} (${otherAgent.resource} ${otherAgent.name})`;
    return { action: 'recheck', why, afterMs: RECHECK_OTHER_AGENT_MS };
  }
  const owned = left[0];
  if (owned !== undefined) {
    const why = `${owned.resource} ${owned.name} waits for its owner's garbage collection`;
    return { action: 'recheck', why, afterMs: RECHECK_OWNED_MS };
  }
  return { action: 'delete' };
}

/** The entry for a listed object. */
export function namespaceEntry(resource: string, obj: KubeObject): NamespaceEntry {
  return {
    resource,
    name: obj.metadata.name ?? '',
    agent: obj.metadata.labels?.[AGENT_NAME_LABEL],
    owned: (obj.metadata.ownerReferences ?? []).length > 0,
  };
}
