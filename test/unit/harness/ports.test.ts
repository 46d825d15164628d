// Test servers get ports the kernel would never give an outgoing connection.
import { expect } from 'chai';
import { candidateRange, freePort } from '../../utils/ports.ts';

describe('freePort', function () {
  const cases: { ephemeral: [number, number]; expected: [number, number] }[] = [
    { ephemeral: [32768, 60999], expected: [10_000, 32767] },
    { ephemeral: [1024, 60999], expected: [61000, 65_535] },
    { ephemeral: [10500, 65000], expected: [65001, 65_535] },
  ];
  for (const c of cases) {
    it(`ephemeral ${c.ephemeral.join('-')} → picks from ${c.expected.join('-')}`, function () {
      expect(candidateRange(c.ephemeral)).to.deep.equal(c.expected);
    });
  }

  it('never hands out the same port twice in one process', async function () {
    const ports = await Promise.all(Array.from({ length: 50 }, () => freePort()));
    expect(new Set(ports).size).to.equal(50);
  });
});
