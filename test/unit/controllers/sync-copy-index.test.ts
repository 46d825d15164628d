import { expect } from 'chai';
import { CopyIndex } from '../../../src/controllers/sync/copy-index.ts';

type Step = ['set' | 'delete', string, string];

describe('CopyIndex', function () {
  const cases: { name: string; steps: Step[]; asked: [string, string]; shared: boolean }[] = [
    { name: 'an empty namespace is shared with nobody', steps: [], asked: ['ns', 'c1'], shared: false },
    {
      name: 'copies of one cluster only are not shared',
      steps: [
        ['set', 'c1|default|a', 'ns/a'],
        ['set', 'c1|default|b', 'ns/b'],
      ],
      asked: ['ns', 'c1'],
      shared: false,
    },
    {
      name: 'a copy of another cluster makes it shared',
      steps: [
        ['set', 'c1|default|a', 'ns/a'],
        ['set', 'c2|default|a', 'ns/x'],
      ],
      asked: ['ns', 'c1'],
      shared: true,
    },
    {
      name: "another cluster's copies alone count for a cluster with none there",
      steps: [['set', 'c2|default|a', 'ns/x']],
      asked: ['ns', 'c1'],
      shared: true,
    },
    {
      name: 'a deleted copy no longer counts',
      steps: [
        ['set', 'c1|default|a', 'ns/a'],
        ['set', 'c2|default|a', 'ns/x'],
        ['delete', 'c2|default|a', 'ns/x'],
      ],
      asked: ['ns', 'c1'],
      shared: false,
    },
    {
      name: 'a stale delete (the object links to another copy by now) is ignored',
      steps: [
        ['set', 'c2|default|a', 'ns/x'],
        ['set', 'c2|default|a', 'other/x'],
        ['delete', 'c2|default|a', 'ns/x'],
      ],
      asked: ['other', 'c1'],
      shared: true,
    },
    {
      name: 'a copy that moved leaves its old namespace',
      steps: [
        ['set', 'c2|default|a', 'ns/x'],
        ['set', 'c2|default|a', 'other/x'],
      ],
      asked: ['ns', 'c1'],
      shared: false,
    },
    {
      name: 'other namespaces do not count',
      steps: [['set', 'c2|default|a', 'elsewhere/x']],
      asked: ['ns', 'c1'],
      shared: false,
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const index = new CopyIndex();
      for (const [op, remote, local] of c.steps) {
        if (op === 'set') index.set(remote, local);
        else index.deleteIf(remote, local);
      }
      expect(index.hasOtherClusters(...c.asked)).to.equal(c.shared);
    });
  }

  it('answers which copy belongs to a consumer object', function () {
    const index = new CopyIndex();
    index.set('c1|default|a', 'ns/a');
    expect(index.get('c1|default|a')).to.equal('ns/a');
    index.deleteIf('c1|default|a', 'ns/a');
    expect(index.get('c1|default|a')).to.equal(undefined);
  });
});
