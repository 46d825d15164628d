import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { sha1Hex, sha3Hex, sha3Short, shortSha1 } from '../../../src/translate/hashes.ts';

describe('hashes', function () {
  const cases: { name: string; actual: () => string; expected: string }[] = [
    {
      name: 'SHA-1 of the empty string is the well-known vector',
      actual: () => sha1Hex(''),
      expected: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    },
    {
      name: 'SHA-1 of "abc" is the FIPS 180 vector',
      actual: () => sha1Hex('abc'),
      expected: 'a9993e364706816aba3e25717850c26c9cd0d89d',
    },
    {
      name: 'SHA-1 of a kcp name matches the label value upstream writes',
      actual: () => sha1Hex('my-test-thing'),
      expected: 'c346c8ceb5d104cc783d09b95e8ea7032c190948',
    },
    {
      name: 'the legacy short hash is the first 20 hex of SHA-1',
      actual: () => shortSha1(''),
      expected: 'da39a3ee5e6b4b0d3255',
    },
    {
      name: 'SHA3-256 of the empty string is the well-known vector',
      actual: () => sha3Hex(''),
      expected: 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a',
    },
    {
      name: 'SHA3-256 of "abc" is the FIPS 202 vector',
      actual: () => sha3Hex('abc'),
      expected: '3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532',
    },
    {
      name: "sha3short defaults to 20 hex, matching upstream's default naming vector",
      actual: () => sha3Short('objname'),
      expected: '73d08a1ba188f1340dae',
    },
    {
      name: 'SHA-1 asked again gives the same digest (remembered)',
      actual: () => {
        sha1Hex('abc');
        return sha1Hex('abc');
      },
      expected: 'a9993e364706816aba3e25717850c26c9cd0d89d',
    },
    {
      name: 'SHA-1 of an input longer than any name (not remembered) is still right',
      actual: () => sha1Hex('a'.repeat(1000)),
      expected: createHash('sha1').update('a'.repeat(1000)).digest('hex'),
    },
    {
      name: 'SHA-1 stays right after more distinct inputs than are remembered',
      actual: () => {
        for (let i = 0; i < 5000; i++) sha1Hex(`name-${String(i)}`);
        return sha1Hex('abc');
      },
      expected: 'a9993e364706816aba3e25717850c26c9cd0d89d',
    },
    {
      name: 'sha3short honours an explicit length',
      actual: () => sha3Short('', 8),
      expected: 'a7ffc6f8',
    },
    {
      name: 'sha3short caps the length at the full 64-hex digest, as upstream does',
      actual: () => sha3Short('', 100),
      expected: 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a',
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      expect(c.actual()).to.equal(c.expected);
    });
  }

  const badLengths: { name: string; len: number }[] = [
    { name: 'sha3short refuses a zero length', len: 0 },
    { name: 'sha3short refuses a negative length', len: -3 },
    { name: 'sha3short refuses a fractional length', len: 2.5 },
  ];
  for (const c of badLengths) {
    it(c.name, function () {
      expect(() => sha3Short('x', c.len)).to.throw(RangeError, /invalid length/);
    });
  }
});
