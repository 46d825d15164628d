// How hard the fault tests push: FAULTS_SCALE=short (the default, run by
// `make test`), medium, or long (the soak behind `make test-faults
// FAULTS_SCALE=long`). FAULTS_SEED replays a run's random moments.

export type ScaleName = 'short' | 'medium' | 'long';

export interface Scale {
  readonly name: ScaleName;
  /** Consumer objects per round of the agent-crash test. */
  readonly objects: number;
  /** Rounds of the agent-crash test (each: a sync, a deletion wave, a status write-back). */
  readonly rounds: number;
  /** Objects the other tests (server restarts, cut connections, writers, failover) keep. */
  readonly smallObjects: number;
  /** Repetitions of the connection faults and concurrent-writer races. */
  readonly repeats: number;
}

const SCALES: Record<ScaleName, Scale> = {
  short: { name: 'short', objects: 120, rounds: 3, smallObjects: 30, repeats: 3 },
  medium: { name: 'medium', objects: 400, rounds: 8, smallObjects: 100, repeats: 6 },
  long: { name: 'long', objects: 1000, rounds: 20, smallObjects: 200, repeats: 12 },
};

export function faultScale(): Scale {
  const name = process.env['FAULTS_SCALE'] ?? 'short';
  if (name !== 'short' && name !== 'medium' && name !== 'long')
    throw new Error(`FAULTS_SCALE must be short, medium or long, not ${name}`);
  return SCALES[name];
}

/** A small seeded generator (mulberry32): the same seed gives the same fault moments. */
export class SeededRandom {
  readonly seed: number;
  private state: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.state = this.seed;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}

/** The run's generator: FAULTS_SEED when set, else a fresh seed (printed by the caller). */
export function faultRandom(): SeededRandom {
  const fromEnv = process.env['FAULTS_SEED'];
  return new SeededRandom(fromEnv === undefined ? Math.floor(Math.random() * 2 ** 32) : Number(fromEnv));
}
