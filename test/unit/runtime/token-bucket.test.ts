import { expect } from 'chai';
import { TokenBucket } from '../../../src/runtime/token-bucket.ts';
import { FakeClock } from '../../utils/fake-clock.ts';

describe('TokenBucket', function () {
  const cases: { name: string; qps: number; burst: number; takes: number; elapsedMs: number; wantWaitMs: number }[] = [
    { name: 'serves a burst without waiting', qps: 10, burst: 5, takes: 5, elapsedMs: 0, wantWaitMs: 0 },
    {
      name: 'makes the first request past the burst wait one interval',
      qps: 10,
      burst: 5,
      takes: 6,
      elapsedMs: 0,
      wantWaitMs: 100,
    },
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

  describe('spare tokens for background requests', function () {
    const cases: { name: string; used: number; elapsedMs: number; want: number }[] = [
      { name: 'are taken from a full bucket at once', used: 0, elapsedMs: 0, want: 0 },
      { name: 'are taken while the bucket is at least half full', used: 5, elapsedMs: 0, want: 0 },
      { name: 'wait while the work uses more than half the burst', used: 6, elapsedMs: 0, want: 100 },
      { name: 'wait behind work that is already queued', used: 12, elapsedMs: 0, want: 700 },
      { name: 'come back as the bucket refills', used: 8, elapsedMs: 300, want: 0 },
    ];
    for (const c of cases) {
      it(c.name, function () {
        const clock = new FakeClock();
        const bucket = new TokenBucket(10, 10, clock);
        for (let i = 0; i < c.used; i++) bucket.reserve();
        clock.advance(c.elapsedMs);
        expect(bucket.reserveSpare()).to.be.closeTo(c.want, 0.001);
      });
    }

    it('never wait when unlimited', function () {
      const bucket = new TokenBucket(0, 1, new FakeClock());
      for (let i = 0; i < 100; i++) bucket.reserve();
      expect(bucket.reserveSpare()).to.equal(0);
    });
  });

  it('rejects a burst below one', function () {
    expect(() => new TokenBucket(10, 0, new FakeClock())).to.throw(TypeError, /burst/);
  });
});
