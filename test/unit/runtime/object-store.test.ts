import { expect } from 'chai';
import type { KubeObject } from '../../../src/kube/object.ts';
import { CompactStore, type ObjectStore, PlainStore } from '../../../src/runtime/object-store.ts';

const obj = (name: string, rv: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, resourceVersion: rv },
  data: { a: 'b' },
});

describe('object stores', function () {
  const stores: { name: string; make: () => ObjectStore }[] = [
    { name: 'PlainStore', make: () => new PlainStore() },
    { name: 'CompactStore', make: () => new CompactStore() },
  ];
  for (const { name, make } of stores) {
    describe(name, function () {
      it('stores, replaces and deletes objects by key', function () {
        const store = make();
        store.set('x', obj('x', '1'));
        store.set('y', obj('y', '2'));
        store.set('x', obj('x', '3'));
        store.delete('y');
        expect(store.get('x')).to.deep.equal(obj('x', '3'));
        expect(store.get('y')).to.equal(undefined);
        expect([...store.keys()]).to.deep.equal(['x']);
        expect(store.values()).to.deep.equal([obj('x', '3')]);
        expect(store.size).to.equal(1);
      });

      it('answers the resourceVersion of a cached object', function () {
        const store = make();
        store.set('x', obj('x', '7'));
        expect(store.resourceVersion('x')).to.equal('7');
        expect(store.resourceVersion('missing')).to.equal(undefined);
      });
    });
  }

  describe('CompactStore handing over what it was given', function () {
    it('hands the object of a set to the first read, and decoded copies to later reads', function () {
      const store = new CompactStore();
      const written = obj('x', '1');
      store.set('x', written);
      expect(store.get('x')).to.equal(written);
      const second = store.get('x');
      expect(second).to.not.equal(written);
      if (second === undefined) throw new Error('missing');
      second.metadata.name = 'changed by reader';
      expect(store.get('x')).to.deep.equal(obj('x', '1'));
    });

    const cases: {
      name: string;
      run: (store: CompactStore) => KubeObject | undefined;
      want: KubeObject | undefined;
    }[] = [
      {
        name: 'a newer set replaces the unread object',
        run: (store) => {
          store.set('x', obj('x', '1'));
          store.set('x', obj('x', '2'));
          return store.get('x');
        },
        want: obj('x', '2'),
      },
      {
        name: 'a delete drops the unread object',
        run: (store) => {
          store.set('x', obj('x', '1'));
          store.delete('x');
          return store.get('x');
        },
        want: undefined,
      },
      {
        name: 'a list leaves the unread object for the next read',
        run: (store) => {
          store.set('x', obj('x', '1'));
          const [listed] = store.values();
          if (listed !== undefined) listed.metadata.name = 'changed by lister';
          return store.get('x');
        },
        want: obj('x', '1'),
      },
    ];
    for (const c of cases) {
      it(c.name, function () {
        expect(c.run(new CompactStore())).to.deep.equal(c.want);
      });
    }

    it('keeps no more than 2 Mi characters of JSON unread: older and larger objects are decoded when read', function () {
      const store = new CompactStore();
      const large = (name: string, chars: number): KubeObject => ({
        ...obj(name, '1'),
        data: { big: 'x'.repeat(chars) },
      });
      const first = large('first', 1024 * 1024);
      const second = large('second', 1024 * 1024);
      const huge = large('huge', 3 * 1024 * 1024);
      store.set('first', first);
      store.set('second', second);
      store.set('huge', huge);
      const read = store.get('huge');
      expect(read).to.not.equal(huge);
      expect(read).to.deep.equal(large('huge', 3 * 1024 * 1024));
      expect(store.get('first')).to.not.equal(first);
      expect(store.get('second')).to.equal(second);
    });

    it('keeps at most 512 unread objects: the oldest ones are decoded when read', function () {
      const store = new CompactStore();
      const written = Array.from({ length: 513 }, (_, i) => obj(`o${String(i)}`, '1'));
      written.forEach((o, i) => {
        store.set(`o${String(i)}`, o);
      });
      const oldest = store.get('o0');
      expect(oldest).to.not.equal(written[0]);
      expect(oldest).to.deep.equal(obj('o0', '1'));
      expect(store.get('o1')).to.equal(written[1]);
    });
  });
});
