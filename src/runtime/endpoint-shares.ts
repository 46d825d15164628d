/**
 * Which replica watches which virtual-workspace URL when replicas split an
 * endpoint slice's URLs (--split-endpoints). Pure: the lease I/O is in
 * endpoint-leases.ts.
 */

/**
 * Spreads URLs over the live replicas: both lists sorted, URL i goes to
 * replica i mod n. Every replica computes the same answer from the same
 * view, shares differ by at most one URL, and a replica set that does not
 * change keeps its assignment. Views may differ for a moment (a replica
 * seen by one and not yet by another); the per-URL Lease, not this
 * function, is what keeps two replicas from syncing one URL.
 */
export function assignEndpoints(urls: readonly string[], replicas: readonly string[]): Map<string, string[]> {
  const members = [...new Set(replicas)].sort();
  const out = new Map<string, string[]>(members.map((m) => [m, []]));
  if (members.length === 0) return out;
  [...new Set(urls)].sort().forEach((url, i) => {
    out.get(members[i % members.length] ?? '')?.push(url);
  });
  return out;
}

/** One replica's membership Lease as last read: who holds it and its renew time. */
export interface MemberRecord {
  readonly identity: string;
  readonly renewTime: string;
}

/**
 * Tells live replicas from dead ones by their membership Leases. As for the
 * leader lease, a record counts as expired only once it has stayed unchanged
 * for the lease duration on our own clock, so clock skew between replicas
 * cannot make a live replica look dead.
 */
export class MemberTracker {
  private readonly seen = new Map<string, { renewTime: string; at: number }>();
  private readonly leaseMs: number;

  constructor(leaseMs: number) {
    this.leaseMs = leaseMs;
  }

  /** Takes a fresh read of all membership Leases at clock time `now`; returns the live identities. */
  observe(records: readonly MemberRecord[], now: number): string[] {
    const listed = new Set(records.map((r) => r.identity));
    for (const id of [...this.seen.keys()]) if (!listed.has(id)) this.seen.delete(id);
    for (const r of records) {
      const prev = this.seen.get(r.identity);
      if (prev?.renewTime !== r.renewTime) this.seen.set(r.identity, { renewTime: r.renewTime, at: now });
    }
    return [...this.seen].filter(([, s]) => now - s.at <= this.leaseMs).map(([id]) => id).sort();
  }
}
