import { expect } from 'chai';
import { assignEndpoints, MemberTracker } from '../../../src/runtime/endpoint-shares.ts';

const U1 = 'https://shard-a/services/apiexport/x/e';
const U2 = 'https://shard-b/services/apiexport/x/e';
const U3 = 'https://shard-c/services/apiexport/x/e';

describe('assignEndpoints', function () {
  const cases: { name: string; urls: string[]; replicas: string[]; want: Record<string, string[]> }[] = [
    { name: 'two URLs, two replicas: one each', urls: [U2, U1], replicas: ['b', 'a'], want: { a: [U1], b: [U2] } },
    { name: 'three URLs, two replicas: shares differ by one', urls: [U1, U2, U3], replicas: ['a', 'b'], want: { a: [U1, U3], b: [U2] } },
    { name: 'one replica takes every URL', urls: [U1, U2], replicas: ['a'], want: { a: [U1, U2] } },
    { name: 'more replicas than URLs: some idle', urls: [U1], replicas: ['a', 'b', 'c'], want: { a: [U1], b: [], c: [] } },
    { name: 'no URLs yet', urls: [], replicas: ['a', 'b'], want: { a: [], b: [] } },
    { name: 'no replicas', urls: [U1], replicas: [], want: {} },
    { name: 'duplicates count once', urls: [U1, U1, U2], replicas: ['a', 'a', 'b'], want: { a: [U1], b: [U2] } },
  ];
  for (const c of cases) {
    it(c.name, function () {
      expect(Object.fromEntries(assignEndpoints(c.urls, c.replicas))).to.deep.equal(c.want);
    });
  }

  it('gives every replica the same answer whatever order it read things in', function () {
    const a = assignEndpoints([U3, U1, U2], ['b', 'c', 'a']);
    const b = assignEndpoints([U2, U3, U1], ['a', 'b', 'c']);
    expect(Object.fromEntries(a)).to.deep.equal(Object.fromEntries(b));
  });
});

describe('MemberTracker', function () {
  const LEASE_MS = 10_000;

  it('counts a replica live while its renew time keeps changing, on our own clock', function () {
    const t = new MemberTracker(LEASE_MS);
    expect(t.observe([{ identity: 'a', renewTime: 't0' }, { identity: 'b', renewTime: 't0' }], 0)).to.deep.equal(['a', 'b']);
    expect(t.observe([{ identity: 'a', renewTime: 't1' }, { identity: 'b', renewTime: 't0' }], 6_000)).to.deep.equal(['a', 'b']);
    expect(t.observe([{ identity: 'a', renewTime: 't2' }, { identity: 'b', renewTime: 't0' }], 10_000)).to.deep.equal(['a', 'b']);
    // b's record has not changed for more than the lease duration: it is gone.
    expect(t.observe([{ identity: 'a', renewTime: 't3' }, { identity: 'b', renewTime: 't0' }], 10_001)).to.deep.equal(['a']);
  });

  it('takes a record first seen as fresh, whatever its timestamp says (clocks may be skewed)', function () {
    const t = new MemberTracker(LEASE_MS);
    expect(t.observe([{ identity: 'a', renewTime: '1999-01-01T00:00:00.000000Z' }], 50_000)).to.deep.equal(['a']);
  });

  it('forgets a replica whose Lease is no longer listed (released or deleted)', function () {
    const t = new MemberTracker(LEASE_MS);
    t.observe([{ identity: 'a', renewTime: 't0' }, { identity: 'b', renewTime: 't0' }], 0);
    expect(t.observe([{ identity: 'a', renewTime: 't1' }], 1_000)).to.deep.equal(['a']);
    // Back with the same record: a new observation, live again.
    expect(t.observe([{ identity: 'a', renewTime: 't1' }, { identity: 'b', renewTime: 't0' }], 2_000)).to.deep.equal(['a', 'b']);
  });
});
