import { expect } from 'chai';
import { ControllerRateLimiter, ItemExponentialBackoff } from '../../../src/runtime/rate-limiter.ts';
import { WorkQueue } from '../../../src/runtime/workqueue.ts';
import { FakeClock } from '../../utils/fake-clock.ts';
import { settle } from '../../utils/settle.ts';

/** Takes every ready key, calling done() on each, in the order they are handed out. */
async function drain(queue: WorkQueue): Promise<string[]> {
  const keys: string[] = [];
  while (queue.len() > 0) {
    const key = await queue.get();
    if (key === undefined) break;
    keys.push(key);
    queue.done(key);
  }
  return keys;
}

describe('WorkQueue', function () {
  describe('adding keys', function () {
    const cases: { name: string; reason: string; adds: string[]; want: string[] }[] = [
      {
        name: 'collapses repeated adds',
        reason: 'the queue holds keys, not events',
        adds: ['a', 'a', 'a'],
        want: ['a'],
      },
      {
        name: 'hands keys out in the order first added',
        reason: 'FIFO without tenants',
        adds: ['a', 'b', 'a', 'c', 'b'],
        want: ['a', 'b', 'c'],
      },
      { name: 'hands out nothing when nothing was added', reason: 'an empty queue stays empty', adds: [], want: [] },
    ];
    for (const c of cases) {
      it(c.name, async function () {
        const queue = new WorkQueue({ clock: new FakeClock() });
        for (const key of c.adds) queue.add(key);
        expect(queue.len(), c.reason).to.equal(c.want.length);
        expect(await drain(queue), c.reason).to.deep.equal(c.want);
        expect(queue.stats(), c.reason).to.deep.equal({
          adds: c.want.length,
          depth: 0,
          retries: 0,
          longestRunningMs: 0,
        });
      });
    }
  });

  it('keeps a key added while processing until done, then hands it out once', async function () {
    const queue = new WorkQueue({ clock: new FakeClock() });
    queue.add('a');
    expect(await queue.get()).to.equal('a');
    queue.add('a');
    queue.add('a');
    expect(queue.len(), 'a second worker must not get the key').to.equal(0);

    let next: string | undefined;
    void queue.get().then((key) => {
      next = key;
    });
    await settle();
    expect(next, 'still processing').to.equal(undefined);

    queue.done('a');
    await settle();
    expect(next).to.equal('a');
    queue.done('a');
    expect(queue.len(), 'the repeated adds collapsed into one').to.equal(0);
  });

  describe('addAfter', function () {
    const cases: { name: string; reason: string; delays: number[]; wantReadyAt: number }[] = [
      { name: 'adds the key when the delay has passed', reason: 'polling', delays: [100], wantReadyAt: 100 },
      {
        name: 'keeps the sooner of two delays (sooner second)',
        reason: 'a later request must not postpone an earlier one',
        delays: [100, 50],
        wantReadyAt: 50,
      },
      {
        name: 'keeps the sooner of two delays (sooner first)',
        reason: 'the later request is dropped',
        delays: [50, 100],
        wantReadyAt: 50,
      },
      { name: 'adds at once for a delay of zero', reason: 'no timer needed', delays: [0], wantReadyAt: 0 },
    ];
    for (const c of cases) {
      it(c.name, async function () {
        const clock = new FakeClock();
        const queue = new WorkQueue({ clock });
        for (const ms of c.delays) queue.addAfter('a', ms);
        if (c.wantReadyAt > 0) {
          clock.advance(c.wantReadyAt - 1);
          expect(queue.len(), `${c.reason}: not yet`).to.equal(0);
          clock.advance(1);
        }
        expect(queue.len(), c.reason).to.equal(1);
        expect(clock.pending(), `${c.reason}: no other timer is left`).to.equal(0);
        expect(await drain(queue)).to.deep.equal(['a']);
      });
    }
  });

  describe('addRateLimited', function () {
    it('doubles the delay per failure and starts over after forget', function () {
      const clock = new FakeClock();
      const queue = new WorkQueue({ clock, rateLimiter: new ControllerRateLimiter({ clock, baseDelayMs: 10 }) });
      const readyAfter = (): number => {
        queue.addRateLimited('a');
        const start = clock.now();
        while (queue.len() === 0) clock.advance(1);
        void queue.get();
        queue.done('a');
        return clock.now() - start;
      };
      expect([readyAfter(), readyAfter(), readyAfter()]).to.deep.equal([10, 20, 40]);
      expect(queue.numRequeues('a')).to.equal(3);
      queue.forget('a');
      expect(queue.numRequeues('a')).to.equal(0);
      expect(readyAfter()).to.equal(10);
      expect(queue.stats().retries).to.equal(4);
    });
  });

  describe('stats', function () {
    it('reports how long the oldest key still being processed has run, so a stuck reconcile shows', async function () {
      const clock = new FakeClock();
      const queue = new WorkQueue({ clock });
      queue.add('slow');
      queue.add('fast');
      queue.add('waiting');
      expect(await queue.get()).to.equal('slow');
      clock.advance(300);
      expect(await queue.get()).to.equal('fast');
      clock.advance(200);
      expect(queue.stats()).to.deep.equal({ adds: 3, depth: 1, retries: 0, longestRunningMs: 500 });
      queue.done('slow');
      expect(queue.stats().longestRunningMs, 'the oldest one left').to.equal(200);
      queue.done('fast');
      expect(queue.stats().longestRunningMs, 'nothing processing').to.equal(0);
    });
  });

  describe('tenant fairness', function () {
    const tenantOf = (key: string): string => key.split('/')[0] ?? '';
    const cases: { name: string; reason: string; adds: string[]; wantFirst: string[] }[] = [
      {
        name: 'serves a small tenant before a big one is drained',
        reason: 'one consumer creating thousands of objects must not delay another consumer',
        adds: [...Array.from({ length: 1000 }, (_, i) => `A/${i}`), 'B/0'],
        wantFirst: ['A/0', 'B/0', 'A/1', 'A/2'],
      },
      {
        name: 'takes turns between all tenants with ready keys',
        reason: 'round-robin, FIFO within a tenant',
        adds: ['A/0', 'A/1', 'A/2', 'B/0', 'B/1', 'C/0'],
        wantFirst: ['A/0', 'B/0', 'C/0', 'A/1', 'B/1', 'A/2'],
      },
    ];
    for (const c of cases) {
      it(c.name, async function () {
        const queue = new WorkQueue({ clock: new FakeClock(), tenantOf });
        for (const key of c.adds) queue.add(key);
        const got: string[] = [];
        for (let i = 0; i < c.wantFirst.length; i++) got.push((await queue.get()) ?? '');
        expect(got, c.reason).to.deep.equal(c.wantFirst);
        expect(queue.len()).to.equal(c.adds.length - c.wantFirst.length);
      });
    }

    it('gives a tenant that comes back a fresh turn', async function () {
      const queue = new WorkQueue({ clock: new FakeClock(), tenantOf });
      queue.add('A/0');
      expect(await queue.get()).to.equal('A/0');
      queue.add('B/0');
      queue.add('B/1');
      queue.add('A/1');
      expect(await drain(queue)).to.deep.equal(['B/0', 'A/1', 'B/1']);
    });
  });

  describe('per-tenant in-flight limit', function () {
    const tenantOf = (key: string): string => key.split('/')[0] ?? '';
    /** Hands out keys without calling done() until nothing more comes out at once. */
    async function takeAvailable(queue: WorkQueue): Promise<string[]> {
      const got: string[] = [];
      for (;;) {
        let key: string | undefined;
        const pending = queue.get().then((k) => {
          key = k;
        });
        await settle();
        if (key === undefined) {
          queue.shutDown(); // releases the waiting get()
          await pending;
          return got;
        }
        got.push(key);
      }
    }

    const cases: { name: string; reason: string; limit: number; adds: string[]; want: string[] }[] = [
      {
        name: 'holds a tenant back at the limit while others get workers',
        reason: 'a noisy tenant must leave workers free for a quiet one',
        limit: 2,
        adds: ['A/0', 'A/1', 'A/2', 'A/3', 'B/0'],
        want: ['A/0', 'B/0', 'A/1'],
      },
      {
        name: 'lets a lone tenant use its share only',
        reason: 'the limit holds even when nobody else waits',
        limit: 3,
        adds: ['A/0', 'A/1', 'A/2', 'A/3', 'A/4'],
        want: ['A/0', 'A/1', 'A/2'],
      },
      {
        name: 'without a limit hands out everything',
        reason: 'the default is unlimited',
        limit: Infinity,
        adds: ['A/0', 'A/1', 'A/2'],
        want: ['A/0', 'A/1', 'A/2'],
      },
    ];
    for (const c of cases) {
      it(c.name, async function () {
        const queue = new WorkQueue({ clock: new FakeClock(), tenantOf, maxInFlightPerTenant: c.limit });
        for (const key of c.adds) queue.add(key);
        expect(await takeAvailable(queue), c.reason).to.deep.equal(c.want);
      });
    }

    it('serves a held-back tenant again as soon as one of its keys is done', async function () {
      const queue = new WorkQueue({ clock: new FakeClock(), tenantOf, maxInFlightPerTenant: 1 });
      queue.add('A/0');
      queue.add('A/1');
      expect(await queue.get()).to.equal('A/0');
      let next: string | undefined;
      const waiting = queue.get().then((k) => {
        next = k;
      });
      await settle();
      expect(next, 'A/1 waits while A/0 is processed').to.equal(undefined);
      queue.done('A/0');
      await waiting;
      expect(next).to.equal('A/1');
    });
  });

  describe('shutDown', function () {
    it('releases waiting getters and drops queued keys and timers', async function () {
      const clock = new FakeClock();
      const queue = new WorkQueue({ clock });
      const waiting = queue.get();
      queue.addAfter('later', 100);
      queue.shutDown();
      expect(await waiting).to.equal(undefined);
      expect(queue.isShutDown()).to.equal(true);
      expect(clock.pending(), 'the delayed add was cancelled').to.equal(0);
      queue.add('a');
      expect(queue.len(), 'adds after shutdown are ignored').to.equal(0);
      expect(await queue.get()).to.equal(undefined);
    });

    it('does not requeue a key re-added during processing', async function () {
      const queue = new WorkQueue({ clock: new FakeClock() });
      queue.add('a');
      await queue.get();
      queue.add('a');
      queue.shutDown();
      queue.done('a');
      expect(queue.len()).to.equal(0);
    });
  });
});

describe('ItemExponentialBackoff', function () {
  const cases: { name: string; baseDelayMs?: number; maxDelayMs?: number; failures: number; want: number[] }[] = [
    { name: 'starts at 5 ms and doubles by default', failures: 4, want: [5, 10, 20, 40] },
    { name: 'caps at the maximum', baseDelayMs: 100, maxDelayMs: 300, failures: 4, want: [100, 200, 300, 300] },
    { name: 'stays finite after very many failures', baseDelayMs: 1, maxDelayMs: 1000, failures: 2000, want: [1000] },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const backoff = new ItemExponentialBackoff({ baseDelayMs: c.baseDelayMs, maxDelayMs: c.maxDelayMs });
      const delays = Array.from({ length: c.failures }, () => backoff.when('a'));
      expect(delays.slice(-c.want.length)).to.deep.equal(c.want);
      expect(backoff.failures('a')).to.equal(c.failures);
      expect(backoff.when('b'), 'keys back off independently').to.equal(c.baseDelayMs ?? 5);
    });
  }

  it('starts over after forget', function () {
    const backoff = new ItemExponentialBackoff();
    backoff.when('a');
    backoff.when('a');
    backoff.forget('a');
    expect(backoff.failures('a')).to.equal(0);
    expect(backoff.when('a')).to.equal(5);
  });
});

describe('ControllerRateLimiter', function () {
  it('limits a burst of failures of different keys with the global bucket', function () {
    const clock = new FakeClock();
    const limiter = new ControllerRateLimiter({ clock, baseDelayMs: 1, qps: 10, burst: 3 });
    const delays = ['a', 'b', 'c', 'd', 'e'].map((key) => limiter.when(key));
    expect(delays).to.deep.equal([1, 1, 1, 100, 200]);
    clock.advance(1000);
    expect(limiter.when('f'), 'the bucket refills with time').to.equal(1);
  });

  it('takes the per-key backoff when it is longer', function () {
    const limiter = new ControllerRateLimiter({ clock: new FakeClock(), baseDelayMs: 500 });
    expect([limiter.when('a'), limiter.when('a')]).to.deep.equal([500, 1000]);
  });

  const invalid: { name: string; option: string; opts: Record<string, number> }[] = [
    { name: 'a negative base delay', option: 'baseDelayMs', opts: { baseDelayMs: -1 } },
    { name: 'an infinite maximum delay', option: 'maxDelayMs', opts: { maxDelayMs: Infinity } },
    { name: 'a burst below one', option: 'burst', opts: { burst: 0 } },
    { name: 'a qps that is not a number', option: 'qps', opts: { qps: Number.NaN } },
  ];
  for (const c of invalid) {
    it(`rejects ${c.name}, naming the option`, function () {
      expect(() => new ControllerRateLimiter({ clock: new FakeClock(), ...c.opts })).to.throw(TypeError, c.option);
    });
  }
});
