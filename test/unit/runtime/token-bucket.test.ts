import { expect } from 'chai';
import { TokenBucket } from '../../../src/runtime/token-bucket.ts';
import { FakeClock } from '../../utils/fake-clock.ts';

describe('TokenBucket', function () {
  const cases: { name: string; qps: number; burst: number; takes: number; elapsedMs: number; wantWaitMs: number }[] = [
    { name: 'serves a burst without waiting', qps: 10, burst: 5, takes: 5, elapsedMs: 0, wantWaitMs: 0 },
    { name: 'makes the first request past the burst wait one interval', qps: 10, burst: 5, takes: 6, elapsedMs: 0, wantWaitMs: 100 },
    { name: 'queues later requests behind earlier ones', qps: 10, burst: 1, takes: 3, elapsedMs: 0, wantWaitMs: 200 },
    { name: 'refills with time', qps: 10, burst: 5, takes: 6, elapsedMs: 100, wantWaitMs: 0 },
    { name: 'never waits when unlimited', qps: 0, burst: 1, takes: 1000, elapsedMs: 0, wantWaitMs: 0 },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const clock = new FakeClock();
      const bucket = new TokenBucket(c.qps, c.burst, clock);
      let last = 0;
      for (let i = 0; i < c.takes; i++) {
        if (i === c.takes - 1) clock.advance(c.elapsedMs);
        last = bucket.reserve();
      }
      expect(last).to.be.closeTo(c.wantWaitMs, 0.001);
    });
  }

  it('rejects a burst below one', function () {
    expect(() => new TokenBucket(10, 0, new FakeClock())).to.throw(TypeError, /burst/);
  });
});
