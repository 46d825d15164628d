import { expect } from 'chai';
import { ApiError } from '../../../src/kube/errors.ts';
import type { LogLevel } from '../../../src/log/logger.ts';
import {
  Controller,
  TerminalError,
  type ReconcileFn,
  type ReconcileOutcome,
  type Result,
} from '../../../src/runtime/controller.ts';
import { WorkQueue, type WorkQueueStats } from '../../../src/runtime/workqueue.ts';
import { FakeClock } from '../../utils/fake-clock.ts';
import { type LogEntry, recordingLogger } from '../../utils/recording-logger.ts';
import { advanceSettling as advance, settle } from '../../utils/settle.ts';

/** A promise with its resolve function, to hold a reconcile until the test lets go. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function setup(
  reconcile: ReconcileFn,
  workers = 1,
): {
  clock: FakeClock;
  controller: Controller;
  logs: LogEntry[];
  outcomes: ReconcileOutcome[];
  abort: AbortController;
  done: Promise<void>;
} {
  const clock = new FakeClock();
  const logs: LogEntry[] = [];
  const outcomes: ReconcileOutcome[] = [];
  const controller = new Controller({
    name: 'test',
    queue: new WorkQueue({ clock }),
    reconcile,
    workers,
    logger: recordingLogger(logs),
    clock,
    observer: {
      onReconcile: (_name, outcome) => {
        outcomes.push(outcome);
      },
    },
  });
  const abort = new AbortController();
  const done = controller.start(abort.signal);
  return { clock, controller, logs, outcomes, abort, done };
}

const conflict = (): ApiError =>
  new ApiError({ code: 409, reason: 'Conflict', message: 'modified', method: 'PUT', path: '/x' });

describe('Controller', function () {
  it('never reconciles one key on two workers and reruns a key added meanwhile exactly once', async function () {
    const release = deferred();
    const active = new Map<string, number>();
    const maxActive = new Map<string, number>();
    const calls: string[] = [];
    const { controller, abort, done } = setup(async (key) => {
      calls.push(key);
      active.set(key, (active.get(key) ?? 0) + 1);
      maxActive.set(key, Math.max(maxActive.get(key) ?? 0, active.get(key) ?? 0));
      if (calls.length === 1) await release.promise;
      active.set(key, (active.get(key) ?? 0) - 1);
      return undefined;
    }, 4);

    controller.enqueue('a');
    await settle();
    for (let i = 0; i < 5; i++) controller.enqueue('a');
    controller.enqueue('b');
    await settle();
    expect(calls, 'b runs on another worker; a waits for its first pass').to.deep.equal(['a', 'b']);

    release.resolve();
    await settle();
    await settle();
    expect(calls).to.deep.equal(['a', 'b', 'a']);
    expect(maxActive.get('a'), 'at most one worker per key').to.equal(1);
    abort.abort();
    await done;
  });

  describe('reconcile outcomes', function () {
    const cases: {
      name: string;
      reason: string;
      reconcile: (call: number) => Promise<Result | undefined>;
      runMs: number;
      wantCallTimes: number[];
      wantOutcome: ReconcileOutcome;
      wantLog?: LogLevel;
    }[] = [
      {
        name: 'forgets a key that succeeded',
        reason: 'nothing to do until the key is added again',
        reconcile: () => Promise.resolve(undefined),
        runMs: 100,
        wantCallTimes: [0],
        wantOutcome: 'success',
      },
      {
        name: 'does not retry a TerminalError',
        reason: 'retrying cannot fix it',
        reconcile: () => Promise.reject(new TerminalError('invalid spec')),
        runMs: 100,
        wantCallTimes: [0],
        wantOutcome: 'terminal',
        wantLog: 'error',
      },
      {
        name: 'does not retry a wrapped TerminalError',
        reason: 'errors are wrapped at every layer',
        reconcile: () => Promise.reject(new Error('failed to sync', { cause: new TerminalError('invalid spec') })),
        runMs: 100,
        wantCallTimes: [0],
        wantOutcome: 'terminal',
        wantLog: 'error',
      },
      {
        name: 'retries a rejected reconcile with growing backoff',
        reason: 'per-key exponential backoff from 5 ms',
        reconcile: () => Promise.reject(new Error('failed to get object')),
        runMs: 100,
        wantCallTimes: [0, 5, 15, 35, 75],
        wantOutcome: 'error',
        wantLog: 'error',
      },
      {
        name: 'retries a reconcile that throws synchronously',
        reason: 'a sync throw must not crash the worker',
        reconcile: (): Promise<Result | undefined> => {
          throw new Error('boom');
        },
        runMs: 20,
        wantCallTimes: [0, 5, 15],
        wantOutcome: 'error',
        wantLog: 'error',
      },
      {
        name: 'retries a conflict quietly',
        reason: 'a 409 only means the cache was stale',
        reconcile: () => Promise.reject(new Error('failed to update', { cause: conflict() })),
        runMs: 10,
        wantCallTimes: [0, 5],
        wantOutcome: 'conflict',
        wantLog: 'debug',
      },
      {
        name: 'resets the backoff once a retry succeeds',
        reason: 'forget after success',
        reconcile: (call) => (call < 3 ? Promise.reject(new Error('flaky')) : Promise.resolve(undefined)),
        runMs: 100,
        wantCallTimes: [0, 5, 15],
        wantOutcome: 'success',
      },
      {
        name: 'reconciles again after requeueAfterMs',
        reason: 'polling',
        reconcile: () => Promise.resolve({ requeueAfterMs: 1000 }),
        runMs: 2500,
        wantCallTimes: [0, 1000, 2000],
        wantOutcome: 'requeue',
      },
    ];
    for (const c of cases) {
      it(c.name, async function () {
        const callTimes: number[] = [];
        const env = setup(() => {
          callTimes.push(env.clock.now());
          return c.reconcile(callTimes.length);
        });
        env.controller.enqueue('a');
        await settle();
        await advance(env.clock, c.runMs);
        expect(callTimes, c.reason).to.deep.equal(c.wantCallTimes);
        expect(env.outcomes.at(-1), c.reason).to.equal(c.wantOutcome);
        if (c.wantLog !== undefined) {
          const entry = env.logs.find((e) => e.fields['key'] === 'a');
          expect(entry?.level, c.reason).to.equal(c.wantLog);
          expect(entry?.fields['controller']).to.equal('test');
        }
        env.abort.abort();
        await env.done;
      });
    }
  });

  it('logs the whole message chain of an error', async function () {
    const env = setup(() => Promise.reject(new Error('failed to sync', { cause: new Error('no route') })));
    env.controller.enqueue('a');
    await settle();
    const entry = env.logs.find((e) => e.level === 'error');
    expect(entry?.fields['error']).to.equal('failed to sync: no route');
    env.abort.abort();
    await env.done;
  });

  it('resolves start() after abort only once in-flight reconciles have finished', async function () {
    const release = deferred();
    let finished = false;
    let aborted = false;
    const env = setup(async (_key, signal) => {
      await release.promise;
      aborted = signal.aborted;
      finished = true;
      return undefined;
    }, 2);
    let resolved = false;
    void env.done.then(() => {
      resolved = true;
    });
    env.controller.enqueue('a');
    env.controller.enqueue('b');
    await settle();

    env.abort.abort();
    await settle();
    expect(resolved, 'a reconcile is still running').to.equal(false);

    release.resolve();
    await env.done;
    expect(finished).to.equal(true);
    expect(aborted, 'the reconcile saw the abort').to.equal(true);
  });

  it('resolves start() at once for an aborted signal', async function () {
    const controller = new Controller({
      name: 'test',
      queue: new WorkQueue({ clock: new FakeClock() }),
      reconcile: () => Promise.resolve(undefined),
      workers: 3,
      logger: recordingLogger([]),
    });
    await controller.start(AbortSignal.abort());
  });

  it("hands its queue's counters to the observer while it runs, and takes them back when it stops", async function () {
    const clock = new FakeClock();
    const tracked = new Map<string, () => WorkQueueStats>();
    const release = deferred();
    const controller = new Controller({
      name: 'sync/crontabs',
      queue: new WorkQueue({ clock }),
      reconcile: () => release.promise.then(() => undefined),
      workers: 1,
      logger: recordingLogger([]),
      clock,
      observer: {
        onReconcile: () => undefined,
        trackQueue: (name, stats) => {
          tracked.set(name, stats);
          return () => {
            tracked.delete(name);
          };
        },
      },
    });
    const abort = new AbortController();
    const done = controller.start(abort.signal);
    controller.enqueue('a');
    controller.enqueue('b');
    await settle();
    clock.advance(250);
    expect(tracked.get('sync/crontabs')?.()).to.deep.equal({ adds: 2, depth: 1, retries: 0, longestRunningMs: 250 });
    abort.abort();
    release.resolve();
    await done;
    expect([...tracked.keys()]).to.deep.equal([]);
  });

  it('keeps running when the observer throws', async function () {
    const logs: LogEntry[] = [];
    const clock = new FakeClock();
    const seen: string[] = [];
    const controller = new Controller({
      name: 'test',
      queue: new WorkQueue({ clock }),
      reconcile: (key) => {
        seen.push(key);
        return Promise.resolve(undefined);
      },
      workers: 1,
      logger: recordingLogger(logs),
      clock,
      observer: {
        onReconcile: () => {
          throw new Error('broken counter');
        },
        trackQueue: () => {
          throw new Error('broken gauge');
        },
      },
    });
    const abort = new AbortController();
    const done = controller.start(abort.signal);
    controller.enqueue('a');
    controller.enqueue('b');
    await settle();
    abort.abort();
    await done;
    expect(seen).to.deep.equal(['a', 'b']);
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.fields['error'])).to.deep.equal([
      'broken gauge',
      'broken counter',
      'broken counter',
    ]);
  });

  it('rejects a worker count below one, naming the option', function () {
    expect(
      () =>
        new Controller({
          name: 'test',
          queue: new WorkQueue({ clock: new FakeClock() }),
          reconcile: () => Promise.resolve(undefined),
          workers: 0,
          logger: recordingLogger([]),
        }),
    ).to.throw(TypeError, 'workers');
  });
});
