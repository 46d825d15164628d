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

  it('CompactStore hands out copies, so a caller cannot change the cache', function () {
    const store = new CompactStore();
    const original = obj('x', '1');
    store.set('x', original);
    original['data'] = { changed: 'after set' };
    const read = store.get('x');
    if (read === undefined) throw new Error('missing');
    read.metadata.name = 'changed by reader';
    expect(store.get('x')).to.deep.equal(obj('x', '1'));
  });
});
