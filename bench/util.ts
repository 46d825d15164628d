// Small helpers the benchmark shares: bounded parallelism, clocks, percentiles.
import { setTimeout as sleep } from 'node:timers/promises';
import PQueue from 'p-queue';
import { ApiError, isAlreadyExists, isNotFound } from '../src/kube/errors.ts';

export { sleep };

/** Milliseconds on a monotonic clock (all benchmark timestamps use it). */
export function now(): number {
  return performance.now();
}

/**
 * Runs fn over items with at most `limit` in flight; results in the order of
 * items. The first error rejects, and items not started yet are dropped.
 */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const queue = new PQueue({ concurrency: limit });
  queue.addEventListener(
    'error',
    () => {
      queue.clear();
    },
    { once: true },
  );
  return queue.addAll(items.map((item) => () => fn(item)));
}

/**
 * Retries a write whose connection failed before an answer came (no HTTP
 * status: kcp and kube-apiserver close busy HTTP/2 connections now and then,
 * seen at 1,000 workspaces), or that a busy server answered with a 5xx (kcp
 * at 1,000 workspaces: 500 "resource quota evaluation timed out"). The first
 * try may have landed, so AlreadyExists on a later try counts as done.
 */
export async function retryTransport(fn: () => Promise<unknown>, tries = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await fn();
      return;
    } catch (err) {
      if (attempt > 1 && isAlreadyExists(err)) return;
      if ((err instanceof ApiError && err.code < 500) || attempt >= tries) throw err;
      await sleep(200 * attempt);
    }
  }
}

/** Retries fn while it fails with 404 (an API that is not served yet), up to timeoutMs. */
export async function retryNotFound<T>(what: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isNotFound(err) || now() > deadline)
        throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      await sleep(50);
    }
  }
}

/** The q-quantile (0..1) of values, nearest-rank; undefined when empty. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export interface Percentiles {
  readonly count: number;
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
  readonly max: number | undefined;
}

export function percentiles(values: readonly number[]): Percentiles {
  return {
    count: values.length,
    p50: quantile(values, 0.5),
    p95: quantile(values, 0.95),
    p99: quantile(values, 0.99),
    max: quantile(values, 1),
  };
}

/** Percentiles of `to − from` over the keys that have both (a key missing either is left out). */
export function between(
  keys: readonly string[],
  from: ReadonlyMap<string, number>,
  to: ReadonlyMap<string, number>,
): Percentiles {
  return percentiles(
    keys.flatMap((k) => {
      const start = from.get(k);
      const end = to.get(k);
      return start === undefined || end === undefined ? [] : [end - start];
    }),
  );
}

/** Polls until check() is true (checked every 25 ms); throws after timeoutMs naming what. */
export async function until(
  what: string,
  check: () => boolean,
  timeoutMs: number,
  failFast?: () => void,
): Promise<void> {
  const deadline = now() + timeoutMs;
  while (!check()) {
    failFast?.();
    if (now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(25);
  }
}

export function log(msg: string): void {
  const t = new Date().toISOString().slice(11, 19);
  console.log(`[${t}] ${msg}`);
}
