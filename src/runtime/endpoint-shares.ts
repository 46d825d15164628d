import { createHash } from 'node:crypto';

/**
 * Which replica watches which virtual-workspace URL when replicas split an
 * endpoint slice's URLs (--split-endpoints). Pure: the lease I/O is in
 * endpoint-leases.ts.
 */

/**
 * Spreads URLs over the live replicas, at most ceil(URLs / replicas) each,
 * so shares differ by at most one URL. A URL stays with the replica holding
 * its Lease now (`holders`) while that replica is live and under the cap:
 * a shard's URL appearing or a replica joining moves no more URLs than the
 * balance needs. The others go by rendezvous hashing: each URL ranks the
 * replicas by a hash of (URL, replica) and goes to the best-ranked one under
 * the cap. Every replica computes the same answer from the same view; views
 * may differ for a moment (a replica seen by one and not yet by another), and
 * the per-URL Lease, not this function, keeps two replicas from syncing one URL.
 */
export function assignEndpoints(
  urls: readonly string[],
  replicas: readonly string[],
  holders: ReadonlyMap<string, string> = new Map(),
): Map<string, string[]> {
  const members = [...new Set(replicas)].sort();
  const out = new Map<string, string[]>(members.map((m) => [m, []]));
  const unique = [...new Set(urls)].sort();
  if (members.length === 0) return out;
  const cap = Math.ceil(unique.length / members.length);
  const underCap = (m: string | undefined): m is string => m !== undefined && (out.get(m)?.length ?? cap) < cap;
  const rest = unique.filter((url) => {
    const holder = holders.get(url);
    if (!underCap(holder)) return true;
    out.get(holder)?.push(url);
    return false;
  });
  for (const url of rest) {
    const owner = byRank(url, members).find(underCap);
    if (owner !== undefined) out.get(owner)?.push(url);
  }
  for (const list of out.values()) list.sort();
  return out;
}

/** The replicas in a URL's rendezvous order, best first. */
function byRank(url: string, members: readonly string[]): string[] {
  return members
    .map((m) => ({ m, score: rank(url, m) }))
    .sort((a, b) => b.score - a.score || a.m.localeCompare(b.m))
    .map((r) => r.m);
}

/** A replica's rank for a URL: 48 bits of SHA-256 over both. */
function rank(url: string, member: string): number {
  return parseInt(createHash('sha256').update(`${url}\n${member}`).digest('hex').slice(0, 12), 16);
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
    return [...this.seen]
      .filter(([, s]) => now - s.at <= this.leaseMs)
      .map(([id]) => id)
      .sort();
  }
}
