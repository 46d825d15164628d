import { expect } from 'chai';
import { assignEndpoints, MemberTracker } from '../../../src/runtime/endpoint-shares.ts';

const U1 = 'https://shard-a/services/apiexport/x/e';
const U2 = 'https://shard-b/services/apiexport/x/e';
const U3 = 'https://shard-c/services/apiexport/x/e';

describe('assignEndpoints', function () {
  const shares = (urls: string[], replicas: string[], now: Record<string, string[]> = {}): Record<string, string[]> => {
    const holders = new Map(Object.entries(now).flatMap(([m, us]) => us.map((u) => [u, m] as const)));
    return Object.fromEntries(assignEndpoints(urls, replicas, holders));
  };
  const sizes = (r: Record<string, string[]>): number[] =>
    Object.values(r)
      .map((u) => u.length)
      .sort();

  const cases: { name: string; urls: string[]; replicas: string[]; sizes: number[] }[] = [
    { name: 'two URLs, two replicas: one each', urls: [U2, U1], replicas: ['b', 'a'], sizes: [1, 1] },
    { name: 'three URLs, two replicas: shares differ by one', urls: [U1, U2, U3], replicas: ['a', 'b'], sizes: [1, 2] },
    { name: 'one replica takes every URL', urls: [U1, U2], replicas: ['a'], sizes: [2] },
    { name: 'more replicas than URLs: some idle', urls: [U1], replicas: ['a', 'b', 'c'], sizes: [0, 0, 1] },
    { name: 'no URLs yet', urls: [], replicas: ['a', 'b'], sizes: [0, 0] },
    { name: 'no replicas', urls: [U1], replicas: [], sizes: [] },
    { name: 'duplicates count once', urls: [U1, U1, U2], replicas: ['a', 'a', 'b'], sizes: [1, 1] },
  ];
  for (const c of cases) {
    it(`${c.name}, every URL exactly once`, function () {
      const got = shares(c.urls, c.replicas);
      expect(sizes(got)).to.deep.equal(c.sizes);
      const assigned = Object.values(got).flat().sort();
      expect(assigned).to.deep.equal(c.replicas.length === 0 ? [] : [...new Set(c.urls)].sort());
    });
  }

  it('gives every replica the same answer whatever order it read things in', function () {
    expect(shares([U3, U1, U2], ['b', 'c', 'a'])).to.deep.equal(shares([U2, U3, U1], ['a', 'b', 'c']));
  });

  it("keeps a URL with its current holder when another shard's URL appears", function () {
    for (const [first, second] of [
      [U1, U2],
      [U2, U1],
      [U1, U3],
      [U3, U2],
    ] as const) {
      const before = shares([first], ['a', 'b']);
      const owner = Object.keys(before).find((m) => before[m]?.includes(first));
      const after = shares([first, second], ['a', 'b'], before);
      expect(after[owner ?? ''], `${first} after ${second} appeared`).to.deep.equal([first]);
    }
  });

  it('takes URLs from a replica over the cap when one joins, and only as many as needed', function () {
    const after = shares([U1, U2, U3], ['a', 'b', 'c'], { a: [U1, U2, U3] });
    expect(sizes(after)).to.deep.equal([1, 1, 1]);
    expect(after['a']).to.have.length(1);
  });

  it('moves only the URLs of a replica that is gone', function () {
    const before = shares([U1, U2, U3], ['a', 'b', 'c']);
    const after = shares([U1, U2, U3], ['a', 'b'], before);
    for (const m of ['a', 'b'])
      for (const url of before[m] ?? []) expect(after[m], `${url} stays with ${m}`).to.include(url);
  });
});

describe('MemberTracker', function () {
  const LEASE_MS = 10_000;

  it('counts a replica live while its renew time keeps changing, on our own clock', function () {
    const t = new MemberTracker(LEASE_MS);
    expect(
      t.observe(
        [
          { identity: 'a', renewTime: 't0' },
          { identity: 'b', renewTime: 't0' },
        ],
        0,
      ),
    ).to.deep.equal(['a', 'b']);
    expect(
      t.observe(
        [
          { identity: 'a', renewTime: 't1' },
          { identity: 'b', renewTime: 't0' },
        ],
        6_000,
      ),
    ).to.deep.equal(['a', 'b']);
    expect(
      t.observe(
        [
          { identity: 'a', renewTime: 't2' },
          { identity: 'b', renewTime: 't0' },
        ],
        10_000,
      ),
    ).to.deep.equal(['a', 'b']);
    // b's record has not changed for more than the lease duration: it is gone.
    expect(
      t.observe(
        [
          { identity: 'a', renewTime: 't3' },
          { identity: 'b', renewTime: 't0' },
        ],
        10_001,
      ),
    ).to.deep.equal(['a']);
  });

  it('takes a record first seen as fresh, whatever its timestamp says (clocks may be skewed)', function () {
    const t = new MemberTracker(LEASE_MS);
    expect(t.observe([{ identity: 'a', renewTime: '1999-01-01T00:00:00.000000Z' }], 50_000)).to.deep.equal(['a']);
  });

  it('forgets a replica whose Lease is no longer listed (released or deleted)', function () {
    const t = new MemberTracker(LEASE_MS);
    t.observe(
      [
        { identity: 'a', renewTime: 't0' },
        { identity: 'b', renewTime: 't0' },
      ],
      0,
    );
    expect(t.observe([{ identity: 'a', renewTime: 't1' }], 1_000)).to.deep.equal(['a']);
    // Back with the same record: a new observation, live again.
    expect(
      t.observe(
        [
          { identity: 'a', renewTime: 't1' },
          { identity: 'b', renewTime: 't0' },
        ],
        2_000,
      ),
    ).to.deep.equal(['a', 'b']);
  });
});
