import { expect } from 'chai';
import { readinessAnswer, type ReadinessInputs } from '../../../src/http/readiness.ts';

const ROOT = 'https://127.0.0.1:6444/services/apiexport/abc/crontabs.example.com';
const SHARD1 = 'https://127.0.0.1:40001/services/apiexport/abc/crontabs.example.com';
const down = (since: number, error = 'connect ECONNREFUSED'): [string, { since: number; error: string }][] => [
  [SHARD1, { since, error }],
];

describe('readinessAnswer', function () {
  const base: ReadinessInputs = { leading: true, cachesLoaded: true, connected: true, outages: new Map(), now: 10_000 };
  const cases: { name: string; inputs: Partial<ReadinessInputs>; code: number; body: string }[] = [
    { name: 'a leader with loaded caches and every watch up', inputs: {}, code: 200, body: 'ok\n' },
    {
      name: 'a standby replica, whatever its caches',
      inputs: { leading: false, cachesLoaded: false },
      code: 200,
      body: 'ok: standby, waiting for the leader lease\n',
    },
    { name: 'caches still loading', inputs: { cachesLoaded: false }, code: 503, body: 'caches not loaded\n' },
    {
      name: 'a watch of the service cluster or the provider workspace down',
      inputs: { connected: false },
      code: 503,
      body: 'a watch is down: kcp or the service cluster does not answer\n',
    },
    {
      name: "one shard's watch down, named with its age and error",
      inputs: { outages: new Map(down(3_000)) },
      code: 503,
      body: `watch down: ${SHARD1} (for 7s: connect ECONNREFUSED)\n`,
    },
    {
      name: 'two watches down, one line each in URL order',
      inputs: { outages: new Map([...down(9_600, 'timeout'), [ROOT, { since: 0, error: '503' }]]) },
      code: 503,
      body: `watch down: ${SHARD1} (for 0s: timeout)\nwatch down: ${ROOT} (for 10s: 503)\n`,
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      expect(readinessAnswer({ ...base, ...c.inputs })).to.deep.equal({ code: c.code, body: c.body });
    });
  }
});
