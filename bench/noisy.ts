// Noisy neighbour: one workspace creates many objects as fast as it can while
// a quiet workspace creates one object every 200 ms. The quiet tenant's
// create→copy latency under the noise is compared with its latency alone.
import type { Operator } from './operator.ts';
import { between, now, percentiles, type Percentiles, until } from './util.ts';
import type { Workload } from './workload.ts';
import type { BenchWorkspace } from './workspaces.ts';

export interface NoisyResult {
  readonly idle: Percentiles;
  readonly noisy: Percentiles;
  /** kcp's own answer time for the quiet tenant's creates, alone and under noise. */
  readonly idleCreate: Percentiles;
  readonly noisyCreate: Percentiles;
  /** The agent's share: kcp answered the quiet tenant's create → its copy exists, alone and under noise. */
  readonly idleAfterAnswer: Percentiles;
  readonly noisyAfterAnswer: Percentiles;
  /** Quiet objects whose copy did not appear within the wait. */
  readonly quietMissing: number;
  readonly noisyObjects: number;
  readonly noisyCreateSeconds: number;
  readonly noisyCopied: number;
  /** Noise start → all noisy copies exist, when that happened within the phase. */
  readonly noisyCopySeconds: number | undefined;
}

export interface NoisySetup {
  readonly workload: Workload;
  readonly operator: Operator;
  readonly quiet: BenchWorkspace;
  readonly loud: BenchWorkspace;
  readonly objects: number;
  readonly quietSeconds: number;
  readonly maxSeconds: number;
  readonly alive: () => void;
}

const QUIET_RATE = 5;

/**
 * Latencies (create sent → copy seen) of keys, waiting up to timeoutMs; a copy
 * that never appeared counts with the time waited (a lower bound).
 */
async function copyLatencies(
  s: NoisySetup,
  keys: readonly string[],
  timeoutMs: number,
): Promise<{ values: number[]; missing: number }> {
  await until("the quiet tenant's copies", () => keys.every((k) => s.operator.copyAt.has(k)), timeoutMs, s.alive).catch(
    () => undefined,
  );
  const end = now();
  let missing = 0;
  const values = keys.map((k) => {
    const created = s.workload.createdAt.get(k) ?? end;
    const copy = s.operator.copyAt.get(k);
    if (copy === undefined) missing++;
    return (copy ?? end) - created;
  });
  return { values, missing };
}

export async function measureNoisy(s: NoisySetup): Promise<NoisyResult> {
  const idleKeys = await s.workload.createAtRate(QUIET_RATE, s.quietSeconds, (i) => ({
    ws: s.quiet,
    name: `q-idle-${i}`,
  }));
  const idle = await copyLatencies(s, idleKeys, 30_000);

  const loudKeys = Array.from({ length: s.objects }, (_, i) => `${s.loud.cluster}/default/n-${i}`);
  const allLoudCopied = (): boolean => loudKeys.every((k) => s.operator.copyAt.has(k));
  const started = now();
  let createdAllAt: number | undefined;
  const loud = s.workload
    .createAll(
      loudKeys.map((_, i) => ({ ws: s.loud, name: `n-${i}` })),
      32,
    )
    .then(() => {
      createdAllAt = now();
    });
  const quietKeys = await s.workload.createAtRate(
    QUIET_RATE,
    s.maxSeconds,
    (i) => ({ ws: s.quiet, name: `q-noise-${i}` }),
    () => createdAllAt !== undefined && allLoudCopied(),
  );
  await loud;
  const noisy = await copyLatencies(s, quietKeys, 30_000);
  const loudCopyTimes = loudKeys.flatMap((k) => {
    const t = s.operator.copyAt.get(k);
    return t === undefined ? [] : [t];
  });
  return {
    idle: percentiles(idle.values),
    noisy: percentiles(noisy.values),
    idleCreate: between(idleKeys, s.workload.createdAt, s.workload.answeredAt),
    noisyCreate: between(quietKeys, s.workload.createdAt, s.workload.answeredAt),
    idleAfterAnswer: between(idleKeys, s.workload.answeredAt, s.operator.copyAt),
    noisyAfterAnswer: between(quietKeys, s.workload.answeredAt, s.operator.copyAt),
    quietMissing: idle.missing + noisy.missing,
    noisyObjects: s.objects,
    noisyCreateSeconds: ((createdAllAt ?? now()) - started) / 1000,
    noisyCopied: loudCopyTimes.length,
    noisyCopySeconds:
      loudCopyTimes.length === loudKeys.length && loudKeys.length > 0
        ? (Math.max(...loudCopyTimes) - started) / 1000
        : undefined,
  };
}
