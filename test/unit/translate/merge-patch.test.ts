import { expect } from 'chai';
import {
  type ThreeWayOptions,
  applyMergePatch,
  createMergePatch,
  jsonEqual,
  threeWayMergePatch,
} from '../../../src/translate/merge-patch.ts';

describe('createMergePatch', function () {
  const cases: { name: string; original: unknown; modified: unknown; expected: Record<string, unknown> | undefined }[] =
    [
      {
        name: 'equal documents need no patch',
        original: { spec: { a: 1, b: [1, 2] } },
        modified: { spec: { b: [1, 2], a: 1 } },
        expected: undefined,
      },
      {
        name: 'a changed scalar is set',
        original: { spec: { a: 1, b: 2 } },
        modified: { spec: { a: 1, b: 3 } },
        expected: { spec: { b: 3 } },
      },
      {
        name: 'an added key carries its whole value',
        original: { spec: {} },
        modified: { spec: { c: { d: true } } },
        expected: { spec: { c: { d: true } } },
      },
      {
        name: 'a removed key becomes null',
        original: { spec: { a: 1, b: 2 } },
        modified: { spec: { a: 1 } },
        expected: { spec: { b: null } },
      },
      {
        name: 'arrays are replaced whole',
        original: { spec: { list: [1, 2, 3] } },
        modified: { spec: { list: [1, 2] } },
        expected: { spec: { list: [1, 2] } },
      },
      {
        name: 'an object replacing a scalar is sent whole',
        original: { spec: 'x' },
        modified: { spec: { a: 1 } },
        expected: { spec: { a: 1 } },
      },
      {
        name: 'null and undefined in the modified document count as absent, so they cause no endless patch',
        original: { a: 1 },
        modified: { a: 1, b: null, c: undefined },
        expected: undefined,
      },
      {
        name: 'null nested in an added object is left out of the patch',
        original: {},
        modified: { spec: { a: 1, b: null } },
        expected: { spec: { a: 1 } },
      },
      {
        name: 'a missing original counts as the empty object',
        original: undefined,
        modified: { a: 1 },
        expected: { a: 1 },
      },
    ];
  for (const c of cases) {
    it(c.name, function () {
      const before = structuredClone([c.original, c.modified]);
      const patch = createMergePatch(c.original, c.modified);
      expect(patch).to.deep.equal(c.expected);
      expect([c.original, c.modified]).to.deep.equal(before);
      expect(jsonEqual(applyMergePatch(c.original ?? {}, patch ?? {}), c.modified)).to.equal(true);
    });
  }

  it('refuses a modified document that is not an object', function () {
    expect(() => createMergePatch({}, [1])).to.throw(TypeError, /not an object/);
  });
});

describe('applyMergePatch', function () {
  // The examples of RFC 7386, appendix A.
  const cases: { name: string; target: unknown; patch: unknown; expected: unknown }[] = [
    { name: 'replaces a value', target: { a: 'b' }, patch: { a: 'c' }, expected: { a: 'c' } },
    { name: 'adds a key', target: { a: 'b' }, patch: { b: 'c' }, expected: { a: 'b', b: 'c' } },
    { name: 'removes a key on null', target: { a: 'b' }, patch: { a: null }, expected: {} },
    { name: 'removes only the nulled key', target: { a: 'b', b: 'c' }, patch: { a: null }, expected: { b: 'c' } },
    { name: 'replaces an array with a scalar', target: { a: ['b'] }, patch: { a: 'c' }, expected: { a: 'c' } },
    { name: 'replaces a scalar with an array', target: { a: 'c' }, patch: { a: ['b'] }, expected: { a: ['b'] } },
    {
      name: 'merges nested objects',
      target: { a: { b: 'c' } },
      patch: { a: { b: 'd', c: null } },
      expected: { a: { b: 'd' } },
    },
    { name: 'replaces arrays whole', target: { a: [{ b: 'c' }] }, patch: { a: [1] }, expected: { a: [1] } },
    { name: 'a top-level array replaces the target', target: ['a', 'b'], patch: ['c', 'd'], expected: ['c', 'd'] },
    { name: 'an array patch replaces an object', target: { a: 'b' }, patch: ['c'], expected: ['c'] },
    { name: 'a null patch replaces the target', target: { a: 'foo' }, patch: null, expected: null },
    { name: 'a string patch replaces the target', target: { a: 'foo' }, patch: 'bar', expected: 'bar' },
    { name: 'keeps nulls already in the target', target: { e: null }, patch: { a: 1 }, expected: { e: null, a: 1 } },
    {
      name: 'an object patch on an array starts from {}',
      target: [1, 2],
      patch: { a: 'b', c: null },
      expected: { a: 'b' },
    },
    {
      name: 'creates nested objects, dropping nulls',
      target: {},
      patch: { a: { bb: { ccc: null } } },
      expected: { a: { bb: {} } },
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const before = structuredClone([c.target, c.patch]);
      expect(applyMergePatch(c.target, c.patch)).to.deep.equal(c.expected);
      expect([c.target, c.patch]).to.deep.equal(before);
    });
  }

  it('treats __proto__ as a plain key and never touches Object.prototype', function () {
    const patch: unknown = JSON.parse('{"__proto__": {"polluted": true}, "spec": {"__proto__": {"x": 1}}}');
    const result = applyMergePatch({ spec: {} }, patch) as Record<string, unknown>;
    expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
    expect(Object.hasOwn(result, '__proto__')).to.equal(true);
    expect(JSON.stringify(result)).to.equal('{"spec":{"__proto__":{"x":1}},"__proto__":{"polluted":true}}');
  });

  it('returns a result that shares nothing with its inputs', function () {
    const target = { spec: { keep: { deep: 1 } } };
    const patch = { spec: { add: { deep: 2 } } };
    const result = applyMergePatch(target, patch) as { spec: { keep: { deep: number }; add: { deep: number } } };
    result.spec.keep.deep = 9;
    result.spec.add.deep = 9;
    expect(target).to.deep.equal({ spec: { keep: { deep: 1 } } });
    expect(patch).to.deep.equal({ spec: { add: { deep: 2 } } });
  });
});

describe('threeWayMergePatch', function () {
  interface Case {
    name: string;
    last: unknown;
    desired: unknown;
    current: unknown;
    options?: ThreeWayOptions;
    patch: Record<string, unknown> | undefined;
    result: unknown;
  }
  const synced = { spec: { cronSpec: '* * *', image: 'ubuntu' } };
  const cases: Case[] = [
    {
      name: 'nothing to do when the source is unchanged, and fields defaulted on the destination are kept',
      last: synced,
      desired: synced,
      current: { spec: { cronSpec: '* * *', image: 'ubuntu', replicas: 1 } },
      patch: undefined,
      result: { spec: { cronSpec: '* * *', image: 'ubuntu', replicas: 1 } },
    },
    {
      name: 'a source change is written without touching fields the destination owns',
      last: synced,
      desired: { spec: { cronSpec: '* * *', image: 'debian' } },
      current: { spec: { cronSpec: '* * *', image: 'ubuntu', replicas: 1 } },
      patch: { spec: { image: 'debian' } },
      result: { spec: { cronSpec: '* * *', image: 'debian', replicas: 1 } },
    },
    {
      name: 'a field removed from the source is removed from the destination',
      last: synced,
      desired: { spec: { image: 'ubuntu' } },
      current: { spec: { cronSpec: '* * *', image: 'ubuntu', replicas: 1 } },
      patch: { spec: { cronSpec: null } },
      result: { spec: { image: 'ubuntu', replicas: 1 } },
    },
    {
      name: 'a hand edit of a synced field on the destination is reverted',
      last: synced,
      desired: synced,
      current: { spec: { cronSpec: 'edited', image: 'ubuntu' } },
      patch: { spec: { cronSpec: '* * *' } },
      result: { spec: { cronSpec: '* * *', image: 'ubuntu' } },
    },
    {
      name: 'with drift reverting off, a hand edit survives as upstream keeps it, while source changes still apply',
      last: synced,
      desired: { spec: { cronSpec: '* * *', image: 'debian' } },
      current: { spec: { cronSpec: 'edited', image: 'ubuntu' } },
      options: { revertDrift: false },
      patch: { spec: { image: 'debian' } },
      result: { spec: { cronSpec: 'edited', image: 'debian' } },
    },
    {
      name: 'a predicate limits which drifted paths are reverted',
      last: { metadata: { labels: { a: '1' } }, spec: { x: 1 } },
      desired: { metadata: { labels: { a: '1' } }, spec: { x: 1 } },
      current: { metadata: { labels: { a: 'edited' } }, spec: { x: 2 } },
      options: { revertDrift: (path) => path[0] === 'metadata' },
      patch: { metadata: { labels: { a: '1' } } },
      result: { metadata: { labels: { a: '1' } }, spec: { x: 2 } },
    },
    {
      name: 'a synced subtree deleted on the destination is restored next to a source change',
      last: { spec: { a: 1, b: 1 } },
      desired: { spec: { a: 1, b: 2 } },
      current: { other: true },
      patch: { spec: { a: 1, b: 2 } },
      result: { other: true, spec: { a: 1, b: 2 } },
    },
    {
      name: 'a drifted array is restored whole',
      last: { spec: { list: [1, 2] } },
      desired: { spec: { list: [1, 2] } },
      current: { spec: { list: [2] } },
      patch: { spec: { list: [1, 2] } },
      result: { spec: { list: [1, 2] } },
    },
    {
      name: 'without a last-known state the whole desired object is written and extra destination fields stay',
      last: undefined,
      desired: synced,
      current: { spec: { cronSpec: 'edited', replicas: 1 } },
      patch: { spec: { cronSpec: '* * *', image: 'ubuntu' } },
      result: { spec: { cronSpec: '* * *', image: 'ubuntu', replicas: 1 } },
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const before = structuredClone([c.last, c.desired, c.current]);
      const patch = threeWayMergePatch(c.last, c.desired, c.current, c.options);
      expect(patch).to.deep.equal(c.patch);
      expect(applyMergePatch(c.current, patch ?? {})).to.deep.equal(c.result);
      expect([c.last, c.desired, c.current]).to.deep.equal(before);
    });
  }
});
