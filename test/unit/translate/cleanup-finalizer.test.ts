import { expect } from 'chai';
import {
  cleanupFinalizerFor,
  holdsCleanup,
  LEGACY_CLEANUP_FINALIZER,
  releasedFinalizers,
  withOwnFinalizer,
} from '../../../src/translate/cleanup-finalizer.ts';
import { sha1Hex } from '../../../src/translate/hashes.ts';

const LONG_NAME = `agent-${'x'.repeat(57)}`; // 63 characters, the longest DNS-1035 label
const OWN = cleanupFinalizerFor('agent-a');
const OTHER = cleanupFinalizerFor('agent-b');

describe('cleanupFinalizerFor', function () {
  const cases: { name: string; agent: string; expected: string }[] = [
    { name: 'a short agent name is spelled out', agent: 'agent-a', expected: 'syncagent.kcp.io/cleanup-agent-a' },
    {
      name: 'a name that just fits the 63 characters after the prefix is spelled out',
      agent: 'a'.repeat(55),
      expected: `syncagent.kcp.io/cleanup-${'a'.repeat(55)}`,
    },
    {
      name: 'a longer name keeps its start and ends in a hash of the whole name',
      agent: LONG_NAME,
      expected: `syncagent.kcp.io/cleanup-${LONG_NAME.slice(0, 44)}-${sha1Hex(LONG_NAME).slice(0, 10)}`,
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const got = cleanupFinalizerFor(c.agent);
      expect(got).to.equal(c.expected);
      const [prefix = '', name = ''] = got.split('/');
      expect(prefix).to.equal('syncagent.kcp.io');
      expect(name.length, 'name part').to.be.at.most(63);
      expect(name).to.match(/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/);
    });
  }

  it('two long names with the same start get different finalizers', function () {
    const other = `${LONG_NAME.slice(0, 62)}y`;
    expect(cleanupFinalizerFor(other)).to.not.equal(cleanupFinalizerFor(LONG_NAME));
  });

  it("is never upstream's shared finalizer", function () {
    expect(cleanupFinalizerFor('cleanup')).to.not.equal(LEGACY_CLEANUP_FINALIZER);
  });
});

describe('the cleanup finalizer decisions', function () {
  const cases: {
    name: string;
    finalizers: string[] | undefined;
    holds: boolean;
    withOwn: string[] | undefined;
    released: string[];
  }[] = [
    {
      name: 'a new object: ours is added, nothing to release',
      finalizers: undefined,
      holds: false,
      withOwn: [OWN],
      released: [],
    },
    {
      name: 'ours is there: nothing to add; release drops it',
      finalizers: [OWN],
      holds: true,
      withOwn: undefined,
      released: [],
    },
    {
      name: "upstream's shared finalizer (a takeover): ours is added next to it; release drops both",
      finalizers: [LEGACY_CLEANUP_FINALIZER],
      holds: true,
      withOwn: [LEGACY_CLEANUP_FINALIZER, OWN],
      released: [],
    },
    {
      name: "another agent's finalizer is neither ours nor released by us",
      finalizers: ['example.com/keep', OTHER],
      holds: false,
      withOwn: ['example.com/keep', OTHER, OWN],
      released: ['example.com/keep', OTHER],
    },
    {
      name: 'ours among others: release keeps the others in their order',
      finalizers: [OTHER, OWN, 'example.com/keep', LEGACY_CLEANUP_FINALIZER],
      holds: true,
      withOwn: undefined,
      released: [OTHER, 'example.com/keep'],
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      expect(holdsCleanup(c.finalizers, OWN), 'holds').to.equal(c.holds);
      expect(withOwnFinalizer(c.finalizers, OWN), 'with own').to.deep.equal(c.withOwn);
      expect(releasedFinalizers(c.finalizers, OWN), 'released').to.deep.equal(c.released);
    });
  }
});
