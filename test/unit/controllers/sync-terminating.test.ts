import { expect } from 'chai';
import { TerminatingObjects } from '../../../src/controllers/sync/terminating.ts';
import type { KubeObject } from '../../../src/kube/object.ts';
import { FakeClock } from '../../utils/fake-clock.ts';

const live: KubeObject = { metadata: { name: 'a' } };
const deleting: KubeObject = { metadata: { name: 'a', deletionTimestamp: '2026-12-07T03:01:00Z' } };

type Change = [key: string, obj: KubeObject, deleted: boolean];

describe('TerminatingObjects', function () {
  const cases: { name: string; changes: Change[]; cached: string[]; requeued: string[] }[] = [
    { name: 'a live object is not requeued', changes: [['a', live, false]], cached: ['a'], requeued: [] },
    {
      name: 'an object being deleted is requeued, although no event follows',
      changes: [['a', deleting, false]],
      cached: ['a'],
      requeued: ['a'],
    },
    {
      name: 'an object whose deletion the watch reported is no longer requeued',
      changes: [
        ['a', deleting, false],
        ['a', deleting, true],
      ],
      cached: [],
      requeued: [],
    },
    {
      name: 'an object the cache no longer holds is dropped, not requeued',
      changes: [
        ['a', deleting, false],
        ['b', deleting, false],
      ],
      cached: ['b'],
      requeued: ['b'],
    },
  ];
  for (const c of cases) {
    it(c.name, async function () {
      const clock = new FakeClock();
      const terminating = new TerminatingObjects(clock, 10_000);
      for (const [key, obj, deleted] of c.changes) terminating.observe(key, obj, deleted);
      const requeued: string[] = [];
      const stop = new AbortController();
      const running = terminating.requeueEvery(stop.signal, (key) => {
        if (!c.cached.includes(key)) return false;
        requeued.push(key);
        return true;
      });

      clock.advance(9_999);
      await Promise.resolve();
      const early = [...requeued];
      for (let round = 0; round < 2; round++) {
        clock.advance(round === 0 ? 1 : 10_000);
        await new Promise((resolve) => setImmediate(resolve));
      }
      stop.abort();
      await running;

      expect(early, 'requeued before the interval was over').to.deep.equal([]);
      expect(requeued, 'requeued over two intervals').to.deep.equal([...c.requeued, ...c.requeued]);
    });
  }
});
