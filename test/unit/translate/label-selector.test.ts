import { expect } from 'chai';
import {
  type LabelSelector,
  fromLabelSelector,
  matchesSelector,
  parseSelector,
  selectorString,
} from '../../../src/translate/label-selector.ts';

describe('label selectors', function () {
  const cases: { name: string; selector: string; labels: Record<string, string>; want: boolean }[] = [
    { name: 'an empty selector matches everything', selector: '', labels: {}, want: true },
    { name: 'equality matches the value', selector: 'env=prod', labels: { env: 'prod' }, want: true },
    { name: 'equality fails on another value', selector: 'env==prod', labels: { env: 'dev' }, want: false },
    { name: 'inequality matches a missing key', selector: 'env!=prod', labels: {}, want: true },
    { name: 'set membership', selector: 'tier in (a, b),team', labels: { tier: 'b', team: 'x' }, want: true },
    { name: 'set exclusion', selector: 'tier notin (a,b)', labels: { tier: 'a' }, want: false },
    { name: 'absence', selector: '!legacy', labels: { legacy: '' }, want: false },
  ];
  for (const c of cases) {
    it(c.name, function () {
      expect(matchesSelector(parseSelector(c.selector), c.labels)).to.equal(c.want);
    });
  }

  it('rejects a malformed term and names it', function () {
    expect(() => parseSelector('a=b,=c')).to.throw(/"=c"/);
  });

  it('converts a LabelSelector object and prints it back as a query', function () {
    const reqs = fromLabelSelector({
      matchLabels: { app: 'x' },
      matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a', 'b'] }],
    });
    expect(selectorString(reqs)).to.equal('app=x,tier notin (a,b)');
    expect(() => fromLabelSelector({ matchExpressions: [{ key: 'k', operator: 'Gt' }] })).to.throw(/Gt/);
  });

  const refused: { name: string; selector: LabelSelector; error: RegExp }[] = [
    {
      name: 'In without values',
      selector: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      error: /In for key "a" needs at least one value/,
    },
    {
      name: 'NotIn without values',
      selector: { matchExpressions: [{ key: 'a', operator: 'NotIn' }] },
      error: /NotIn for key "a" needs/,
    },
    {
      name: 'Exists with values',
      selector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      error: /Exists for key "a" takes no values/,
    },
    {
      name: 'a key with spaces',
      selector: { matchLabels: { 'not a key!': 'x' } },
      error: /invalid label key "not a key!"/,
    },
    {
      name: 'a key with an upper-case prefix',
      selector: { matchLabels: { 'Example.com/a': 'x' } },
      error: /invalid label key/,
    },
    {
      name: 'a name part of 64 characters',
      selector: { matchLabels: { ['k'.repeat(64)]: 'x' } },
      error: /invalid label key/,
    },
    {
      name: 'a value of 64 characters',
      selector: { matchLabels: { a: 'v'.repeat(64) } },
      error: /invalid label value/,
    },
    {
      name: 'a value starting with a dash',
      selector: { matchExpressions: [{ key: 'a', operator: 'In', values: ['-x'] }] },
      error: /invalid label value "-x"/,
    },
  ];
  for (const c of refused) {
    it(`refuses a LabelSelector with ${c.name}, as the API server would`, function () {
      expect(() => fromLabelSelector(c.selector)).to.throw(c.error);
    });
  }

  it('accepts prefixed keys, empty values and names of 63 characters', function () {
    const reqs = fromLabelSelector({
      matchLabels: { 'example.com/app': '', ['k'.repeat(63)]: 'a.b_c-d' },
      matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }],
    });
    expect(reqs).to.have.length(3);
  });
});
