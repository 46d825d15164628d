import { expect } from 'chai';
import { IdleGate } from '../../../src/runtime/idle-gate.ts';
import { FakeClock } from '../../utils/fake-clock.ts';

/** Lets pending promise callbacks run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

/** Foreground work that finishes when the returned function is called. */
function holdForeground(gate: IdleGate): { release: () => void; done: Promise<void> } {
  let release: () => void = () => undefined;
  const done = gate.foreground(
    () =>
      new Promise<void>((resolve) => {
        release = resolve;
      }),
  );
  return {
    release: () => {
      release();
    },
    done,
  };
}

describe('IdleGate', function () {
  it('admits background work at once while no foreground work is in flight', async function () {
    const gate = new IdleGate(new FakeClock(), 1_000);
    let admitted = false;
    void gate.admit().then(() => {
      admitted = true;
    });
    await settle();
    expect(admitted).to.equal(true);
  });

  it('holds background work until the foreground is idle', async function () {
    const clock = new FakeClock();
    const gate = new IdleGate(clock, 1_000);
    const first = holdForeground(gate);
    const second = holdForeground(gate);
    // The floor lets one waiter through at once (none was forced before); use it up.
    await gate.admit();
    let admitted = false;
    void gate.admit().then(() => {
      admitted = true;
    });
    first.release();
    await first.done;
    await settle();
    expect(admitted, 'one foreground request is still in flight').to.equal(false);
    second.release();
    await second.done;
    await settle();
    expect(admitted).to.equal(true);
    expect(gate.inFlight).to.equal(0);
  });

  it('lets one waiter through per floor interval under sustained foreground work', async function () {
    const clock = new FakeClock();
    const gate = new IdleGate(clock, 1_000);
    const busy = holdForeground(gate);
    const admittedAt: number[] = [];
    for (let i = 0; i < 3; i++)
      void gate.admit().then(() => {
        admittedAt.push(clock.now());
      });
    await settle();
    for (let t = 0; t < 2_000; t += 100) {
      clock.advance(100);
      await settle();
    }
    expect(admittedAt).to.deep.equal([0, 1_000, 2_000]);
    busy.release();
    await busy.done;
  });

  describe('while the server answers slowly', function () {
    /** Foreground requests that each take ms to answer, one after another. */
    async function answersTaking(clock: FakeClock, gate: IdleGate, ms: number, count: number): Promise<void> {
      for (let i = 0; i < count; i++) {
        const work = holdForeground(gate);
        clock.advance(ms);
        work.release();
        await work.done;
      }
    }

    it('holds background work back even between requests', async function () {
      const clock = new FakeClock();
      const gate = new IdleGate(clock, 1_000);
      await answersTaking(clock, gate, 10, 20);
      expect(gate.slow, 'answers as fast as ever').to.equal(false);
      await answersTaking(clock, gate, 200, 20);
      expect(gate.slow).to.equal(true);
      // Nothing is in flight, yet the server is slow: only the floor lets waiters through, one per second.
      await gate.admit();
      let admitted = false;
      void gate.admit().then(() => {
        admitted = true;
      });
      await settle();
      expect(admitted).to.equal(false);
      clock.advance(1_000);
      await settle();
      expect(admitted, 'the floor lets it through a second later').to.equal(true);
    });

    it('counts the server as recovered once it answers fast again, or nothing was heard for a while', async function () {
      const clock = new FakeClock();
      const gate = new IdleGate(clock, 1_000);
      await answersTaking(clock, gate, 10, 20);
      await answersTaking(clock, gate, 200, 20);
      expect(gate.slow).to.equal(true);
      await answersTaking(clock, gate, 10, 40);
      expect(gate.slow, 'fast answers again').to.equal(false);
      await answersTaking(clock, gate, 200, 20);
      clock.advance(2_001);
      expect(gate.slow, 'silence').to.equal(false);
    });

    it('learns from background answers too', async function () {
      const clock = new FakeClock();
      const gate = new IdleGate(clock, 1_000);
      await answersTaking(clock, gate, 10, 20);
      await answersTaking(clock, gate, 200, 20);
      for (let i = 0; i < 40; i++) {
        const answered = gate.background(() => {
          clock.advance(10);
          return Promise.resolve();
        });
        clock.advance(1_000);
        await answered;
      }
      expect(gate.slow).to.equal(false);
    });
  });

  it('counts foreground work that fails as finished', async function () {
    const gate = new IdleGate(new FakeClock(), 1_000);
    await gate.foreground(() => Promise.reject(new Error('boom'))).catch(() => undefined);
    expect(gate.inFlight).to.equal(0);
  });

  it('stops waiting when the signal aborts', async function () {
    const clock = new FakeClock();
    const gate = new IdleGate(clock, 1_000);
    const busy = holdForeground(gate);
    await gate.admit();
    const abort = new AbortController();
    const waiting = gate.admit(abort.signal);
    abort.abort(new Error('shutting down'));
    await waiting.then(
      () => expect.fail('admitted'),
      (err: unknown) => {
        expect(err).to.be.instanceOf(Error).with.property('message', 'shutting down');
      },
    );
    busy.release();
    await busy.done;
  });
});
