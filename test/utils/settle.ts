import type { FakeClock } from './fake-clock.ts';

/** Lets every pending promise callback run (one macrotask turn; no fake time passes). */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Moves fake time forward in steps of stepMs, letting promise chains react between steps. */
export async function advanceSettling(clock: FakeClock, ms: number, stepMs = 1): Promise<void> {
  for (let done = 0; done < ms; done += stepMs) {
    clock.advance(Math.min(stepMs, ms - done));
    await settle();
  }
}
