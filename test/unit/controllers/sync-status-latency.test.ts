import { expect } from 'chai';
import { StatusLatency } from '../../../src/controllers/sync/status-latency.ts';
import type { KubeObject } from '../../../src/kube/object.ts';
import { FakeClock } from '../../utils/fake-clock.ts';

const copy = (resourceVersion: string, status?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'CronTab',
  metadata: { name: 'c', resourceVersion },
  ...(status === undefined ? {} : { status }),
});

type Step =
  | { advance: number }
  | { changed: KubeObject; old?: KubeObject }
  | { deleted: true }
  | { inSync: KubeObject; wrote: boolean };

const ready = { phase: 'Ready' };
const failed = { phase: 'Failed' };

const cases: { name: string; steps: Step[]; want: number[] }[] = [
  {
    name: 'times a status change from the moment it is seen to the pass that wrote it up',
    steps: [{ changed: copy('2', ready), old: copy('1') }, { advance: 120 }, { inSync: copy('2', ready), wrote: true }],
    want: [120],
  },
  {
    name: 'ignores a change of the copy that leaves its status as it was',
    steps: [
      { changed: copy('2', ready), old: copy('1', ready) },
      { advance: 50 },
      { inSync: copy('2', ready), wrote: true },
    ],
    want: [],
  },
  {
    name: 'a pass that read an older copy does not end the timing; the pass with the newest one does',
    steps: [
      { changed: copy('2', ready), old: copy('1') },
      { advance: 10 },
      { inSync: copy('1'), wrote: false },
      { advance: 30 },
      { inSync: copy('2', ready), wrote: true },
    ],
    want: [40],
  },
  {
    name: "a second status change before the first went up keeps the first's start",
    steps: [
      { changed: copy('2', ready), old: copy('1') },
      { advance: 10 },
      { changed: copy('3', failed), old: copy('2', ready) },
      { advance: 5 },
      { inSync: copy('3', failed), wrote: true },
    ],
    want: [15],
  },
  {
    name: 'a status the consumer already carries (a restart) ends the timing without a sample',
    steps: [
      { changed: copy('2', ready) },
      { advance: 10 },
      { inSync: copy('2', ready), wrote: false },
      { inSync: copy('2', ready), wrote: true },
    ],
    want: [],
  },
  {
    name: 'a deleted copy ends the timing without a sample',
    steps: [
      { changed: copy('2', ready), old: copy('1') },
      { deleted: true },
      { inSync: copy('2', ready), wrote: true },
    ],
    want: [],
  },
];

describe('StatusLatency', function () {
  for (const c of cases) {
    it(c.name, function () {
      const clock = new FakeClock();
      const got: number[] = [];
      const latency = new StatusLatency(clock, (ms) => {
        got.push(ms);
      });
      for (const step of c.steps) {
        if ('advance' in step) clock.advance(step.advance);
        else if ('changed' in step) latency.copyChanged('key', step.changed, step.old);
        else if ('deleted' in step) latency.copyDeleted('key');
        else latency.inSync('key', step.inSync, step.wrote);
      }
      expect(got).to.deep.equal(c.want);
    });
  }
});
