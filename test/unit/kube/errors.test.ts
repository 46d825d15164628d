import { expect } from 'chai';
import {
  apiErrorFromResponse,
  isAlreadyExists,
  isConflict,
  isGone,
  isNotFound,
  isTooManyRequests,
} from '../../../src/kube/errors.ts';

const req = { method: 'GET', path: '/api/v1/namespaces/x' };
const status = (code: number, reason: string): string => JSON.stringify({ kind: 'Status', code, reason, message: 'm' });

describe('API error classification', function () {
  const cases: { name: string; code: number; body: string; kinds: string[] }[] = [
    { name: 'a 404 is NotFound', code: 404, body: status(404, 'NotFound'), kinds: ['notFound'] },
    {
      name: 'a 409 AlreadyExists is not a conflict',
      code: 409,
      body: status(409, 'AlreadyExists'),
      kinds: ['alreadyExists'],
    },
    { name: 'a 409 Conflict is a conflict', code: 409, body: status(409, 'Conflict'), kinds: ['conflict'] },
    { name: 'a 410 is Gone', code: 410, body: status(410, 'Expired'), kinds: ['gone'] },
    { name: 'a 429 is throttling, even without a Status body', code: 429, body: 'slow down', kinds: ['tooMany'] },
  ];
  const checks = {
    notFound: isNotFound,
    alreadyExists: isAlreadyExists,
    conflict: isConflict,
    gone: isGone,
    tooMany: isTooManyRequests,
  };
  for (const c of cases) {
    it(c.name, function () {
      const err = apiErrorFromResponse(req, c.code, c.body, undefined);
      const wrapped = new Error('failed to do something', { cause: err });
      for (const [kind, check] of Object.entries(checks)) {
        expect(check(wrapped), kind).to.equal(c.kinds.includes(kind));
      }
    });
  }

  it('keeps the Retry-After the server asked for', function () {
    expect(apiErrorFromResponse(req, 429, '', '3').retryAfterSeconds).to.equal(3);
  });
});
