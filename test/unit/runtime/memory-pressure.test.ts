import { expect } from 'chai';
import { MemoryPressure, type MemoryPressureOptions } from '../../../src/runtime/memory-pressure.ts';

const MIB = 2 ** 20;

describe('memory pressure', function () {
  // Each step: the clock (ms), the heap in use (MiB of a 100 MiB limit), and whether it warns.
  const cases: { name: string; opts?: MemoryPressureOptions; steps: [number, number, boolean][] }[] = [
    {
      name: 'warns once when the heap crosses 85% of its limit, not while it stays above',
      steps: [
        [0, 50, false],
        [10_000, 86, true],
        [20_000, 90, false],
        [30_000, 99, false],
      ],
    },
    {
      name: 'a heap hovering at the threshold does not re-arm until it falls below 80%',
      steps: [
        [0, 86, true],
        [700_000, 84, false],
        [710_000, 86, false],
        [720_000, 79, false],
        [730_000, 86, true],
      ],
    },
    {
      name: 'a second crossing within ten minutes of a warning stays quiet, and warns when they have passed',
      steps: [
        [0, 90, true],
        [60_000, 50, false],
        [120_000, 90, false],
        [600_000, 90, true],
      ],
    },
    {
      name: 'threshold, re-arm level and interval can be chosen',
      opts: { threshold: 0.5, rearmBelow: 0.2, minIntervalMs: 1_000 },
      steps: [
        [0, 55, true],
        [2_000, 30, false],
        [3_000, 55, false],
        [4_000, 10, false],
        [5_000, 60, true],
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const pressure = new MemoryPressure(c.opts);
      const got = c.steps.map(([at, used]) => [
        at,
        used,
        pressure.check({ usedBytes: used * MIB, limitBytes: 100 * MIB }, at).warn,
      ]);
      expect(got).to.deep.equal(c.steps);
    });
  }

  it('reports the ratio, and 0 for an unknown limit', function () {
    const pressure = new MemoryPressure();
    expect(pressure.check({ usedBytes: 25, limitBytes: 100 }, 0).ratio).to.equal(0.25);
    expect(pressure.check({ usedBytes: 25, limitBytes: 0 }, 0)).to.deep.equal({ ratio: 0, warn: false });
  });
});
