import { expect } from 'chai';
import { fromLabelSelector, matchesSelector, parseSelector, selectorString } from '../../../src/translate/label-selector.ts';

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
    const reqs = fromLabelSelector({ matchLabels: { app: 'x' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a', 'b'] }] });
    expect(selectorString(reqs)).to.equal('app=x,tier notin (a,b)');
    expect(() => fromLabelSelector({ matchExpressions: [{ key: 'k', operator: 'Gt' }] })).to.throw(/Gt/);
  });
});
