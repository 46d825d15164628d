import { expect } from 'chai';
import { CoalescingQueue } from '../../../src/runtime/coalescing-queue.ts';

describe('CoalescingQueue', function () {
  interface Case {
    name: string;
    capacity: number;
    adds: [key: string, item: string][];
    wantResults: string[];
    /** Everything taken afterwards, in order. */
    wantTaken: string[];
  }
  const cases: Case[] = [
    {
      name: 'hands out items in the order their keys were first added',
      capacity: 10,
      adds: [
        ['a', 'a1'],
        ['b', 'b1'],
        ['c', 'c1'],
      ],
      wantResults: ['added', 'added', 'added'],
      wantTaken: ['a1', 'b1', 'c1'],
    },
    {
      name: "keeps only the latest item of a key, in the key's first place",
      capacity: 10,
      adds: [
        ['a', 'a1'],
        ['b', 'b1'],
        ['a', 'a2'],
        ['a', 'a3'],
      ],
      wantResults: ['added', 'added', 'replaced', 'replaced'],
      wantTaken: ['a3', 'b1'],
    },
    {
      name: 'pushes the oldest key out when full',
      capacity: 2,
      adds: [
        ['a', 'a1'],
        ['b', 'b1'],
        ['c', 'c1'],
      ],
      wantResults: ['added', 'added', 'dropped-oldest'],
      wantTaken: ['b1', 'c1'],
    },
    {
      name: 'replacing never counts against the capacity',
      capacity: 2,
      adds: [
        ['a', 'a1'],
        ['b', 'b1'],
        ['b', 'b2'],
      ],
      wantResults: ['added', 'added', 'replaced'],
      wantTaken: ['a1', 'b2'],
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const q = new CoalescingQueue<string>(c.capacity);
      expect(c.adds.map(([k, v]) => q.add(k, v))).to.deep.equal(c.wantResults);
      const taken: string[] = [];
      for (let item = q.peek(); item !== undefined; item = q.peek()) {
        expect(q.take(), 'take returns what peek showed').to.equal(item);
        taken.push(item);
      }
      expect(taken).to.deep.equal(c.wantTaken);
      expect(q.size).to.equal(0);
    });
  }

  it('shows the item waiting under a key without taking it', function () {
    const q = new CoalescingQueue<string>(4);
    q.add('a', 'a1');
    q.add('a', 'a2');
    expect(q.get('a')).to.equal('a2');
    expect(q.get('b')).to.equal(undefined);
    expect(q.size).to.equal(1);
  });

  it('a key taken out can be queued again', function () {
    const q = new CoalescingQueue<string>(1);
    q.add('a', 'a1');
    q.take();
    expect(q.add('a', 'a2')).to.equal('added');
    expect(q.take()).to.equal('a2');
  });

  it('rejects a capacity below one', function () {
    expect(() => new CoalescingQueue(0)).to.throw(TypeError, /capacity/);
  });
});
