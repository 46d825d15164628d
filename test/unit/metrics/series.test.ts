import { expect } from 'chai';
import { Counter, Histogram, Registry } from 'prom-client';
import { SeriesCounter, SeriesHistogram } from '../../../src/metrics/series.ts';

type Labels = Record<'server' | 'method', string>;

interface Case {
  name: string;
  /** Values fed to both metrics, in order. */
  feed: [Labels, number][];
}

const kcpGet: Labels = { server: 'kcp', method: 'GET' };
const kcpPut: Labels = { server: 'kcp', method: 'PUT' };
const servicePost: Labels = { server: 'service', method: 'POST' };

const cases: Case[] = [
  { name: 'nothing observed', feed: [] },
  { name: 'one label set', feed: [[kcpGet, 0.003]] },
  {
    name: 'several label sets, in the order first seen',
    feed: [
      [kcpPut, 0.2],
      [kcpGet, 0.01],
      [servicePost, 7],
      [kcpPut, 0.02],
    ],
  },
  {
    name: 'values on a bound, below the first and above the last',
    feed: [
      [kcpGet, 0.005],
      [kcpGet, 0],
      [kcpGet, 45],
      [kcpGet, 1],
    ],
  },
];

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

describe('series metrics render as prom-client renders its own', function () {
  for (const c of cases) {
    it(`counter: ${c.name}`, async function () {
      const theirs = new Registry();
      const ours = new Registry();
      const options = { name: 'x_total', help: 'Requests.', labelNames: ['server', 'method'] as const };
      const reference = new Counter({ ...options, labelNames: [...options.labelNames], registers: [theirs] });
      const counter = new SeriesCounter({ ...options, registry: ours });
      for (const [labels, value] of c.feed) {
        reference.inc(labels, value);
        counter.inc(labels, value);
      }
      expect(await ours.metrics()).to.equal(await theirs.metrics());
    });

    it(`histogram: ${c.name}`, async function () {
      const theirs = new Registry();
      const ours = new Registry();
      const options = { name: 'x_seconds', help: 'Answer time.', labelNames: ['server', 'method'] as const };
      const reference = new Histogram({
        ...options,
        labelNames: [...options.labelNames],
        buckets: BUCKETS,
        registers: [theirs],
      });
      const histogram = new SeriesHistogram({ ...options, buckets: BUCKETS, registry: ours });
      for (const [labels, value] of c.feed) {
        reference.observe(labels, value);
        histogram.observe(labels, value);
      }
      expect(await ours.metrics()).to.equal(await theirs.metrics());
    });
  }

  it('leaves out what prom-client would throw on, instead of failing the request that fed it', async function () {
    const registry = new Registry();
    const counter = new SeriesCounter({ name: 'c_total', help: 'C.', labelNames: ['server'], registry });
    const histogram = new SeriesHistogram({
      name: 'h_seconds',
      help: 'H.',
      labelNames: ['server'],
      buckets: [1],
      registry,
    });
    counter.inc({ server: 'kcp' }, -1);
    counter.inc({ server: 'kcp' }, Number.NaN);
    histogram.observe({ server: 'kcp' }, Number.POSITIVE_INFINITY);
    histogram.observe({ server: 'kcp' }, Number.NaN);
    expect(await registry.metrics()).to.equal(
      '# HELP c_total C.\n# TYPE c_total counter\n\n# HELP h_seconds H.\n# TYPE h_seconds histogram\n',
    );
  });
});
