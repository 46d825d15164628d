// The bench's retry of its own writes (bench/util.ts retryTransport): which
// failures it tries again, and which it hands back at once.
import { expect } from 'chai';
import { retryTransport } from '../../../bench/util.ts';
import { ApiError } from '../../../src/kube/errors.ts';

const apiError = (code: number, reason: string): ApiError =>
  new ApiError({ code, reason, message: reason, method: 'POST', path: '/x' });

describe('bench retryTransport', function () {
  const cases: { name: string; failures: Error[]; tries: number; calls: number; throws?: RegExp }[] = [
    { name: 'a write that works at once', failures: [], tries: 3, calls: 1 },
    { name: 'a connection closed before the answer', failures: [new Error('socket hang up')], tries: 3, calls: 2 },
    {
      name: 'a busy server’s 500',
      failures: [apiError(500, 'InternalError')],
      tries: 3,
      calls: 2,
    },
    {
      name: 'a 409 on the retry (the first try landed)',
      failures: [new Error('socket hang up'), apiError(409, 'AlreadyExists')],
      tries: 3,
      calls: 2,
    },
    { name: 'a 404', failures: [apiError(404, 'NotFound')], tries: 3, calls: 1, throws: /404 NotFound/ },
    {
      name: 'a 500 on every try',
      failures: [apiError(500, 'InternalError'), apiError(500, 'InternalError')],
      tries: 2,
      calls: 2,
      throws: /500 InternalError/,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.calls} call(s), ${c.throws === undefined ? 'done' : 'fails'}`, async function () {
      let calls = 0;
      const write = async (): Promise<void> => {
        const failure = c.failures[calls++];
        if (failure !== undefined) throw failure;
        await Promise.resolve();
      };
      const outcome = await retryTransport(write, c.tries).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(calls).to.equal(c.calls);
      if (c.throws === undefined) expect(outcome).to.equal(undefined);
      else expect(String(outcome)).to.match(c.throws);
    });
  }
});
