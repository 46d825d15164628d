// The benchmark's bounded parallelism (bench/util.ts), on p-queue.
import { expect } from 'chai';
import { pool, sleep } from '../../../bench/util.ts';

describe('bench pool', function () {
  it('returns the results in the order of the items, whatever order they finish in', async function () {
    const out = await pool([30, 10, 20], 3, async (ms) => {
      await sleep(ms);
      return ms * 2;
    });
    expect(out).to.deep.equal([60, 20, 40]);
  });

  it('never has more than the limit in flight', async function () {
    let inFlight = 0;
    let most = 0;
    await pool(
      Array.from({ length: 20 }, (_, i) => i),
      4,
      async () => {
        most = Math.max(most, ++inFlight);
        await sleep(2);
        inFlight--;
      },
    );
    expect(most).to.equal(4);
  });

  it('rejects with the first error and starts no item after it', async function () {
    const started: number[] = [];
    const err = await pool([1, 2, 3, 4, 5], 1, async (n) => {
      started.push(n);
      if (n === 2) throw new Error('boom');
      await sleep(1);
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.an('error').with.property('message', 'boom');
    await sleep(20);
    expect(started).to.deep.equal([1, 2]);
  });
});
