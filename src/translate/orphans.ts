/**
 * What a lookup of a copy's origin in kcp told the orphan sweep. Only
 * `not-found` is a positive answer that the origin is gone; everything else
 * (an error, 403, a timeout, a workspace the agent cannot see) is `unknown`.
 */
export type OriginLookup = 'present' | 'not-found' | 'unknown';

/** What the orphan sweep knows about one copy of ours. */
export interface OrphanCandidate {
  /** The copy is already being deleted: nothing to do. */
  readonly copyTerminating: boolean;
  /** The origin is in the (loaded) kcp cache: it is alive. */
  readonly originCached: boolean;
  /** The answer of kcp itself, asked only when the cache does not have the origin. */
  readonly lookup: OriginLookup;
}

/**
 * Whether the orphan sweep deletes a copy: only when the cache lacks its
 * origin AND kcp positively answered "not found" for it in a workspace the
 * agent can see. A copy is a provider's running service; deleting one on an
 * error or a guess is worse than leaving an orphan until the next start.
 */
export function orphanVerdict(c: OrphanCandidate): 'delete' | 'keep' {
  if (c.copyTerminating || c.originCached) return 'keep';
  return c.lookup === 'not-found' ? 'delete' : 'keep';
}
