import { expect } from 'chai';
import type { CrdSpec } from '../../../src/apis/apiextensions.ts';
import { selectVersions, storageVersion } from '../../../src/translate/projection.ts';

const crd = (): CrdSpec => ({
  group: 'example.com',
  scope: 'Namespaced',
  names: { kind: 'CronTab', plural: 'crontabs' },
  versions: [
    { name: 'v1', served: true, storage: false },
    { name: 'v2', served: true, storage: true },
    { name: 'v3', served: false, storage: false },
  ],
});

describe('selectVersions', function () {
  const cases: { name: string; sel: { version?: string; versions?: string[] }; want?: string[]; storage?: string; error?: RegExp }[] = [
    { name: 'keeps every served version by default', sel: {}, want: ['v1', 'v2'], storage: 'v2' },
    { name: 'keeps the named versions', sel: { versions: ['v2'] }, want: ['v2'], storage: 'v2' },
    { name: 'makes the last selected version storage when the storage version is dropped', sel: { versions: ['v1'] }, want: ['v1'], storage: 'v1' },
    { name: 'accepts the deprecated single version', sel: { version: 'v1' }, want: ['v1'], storage: 'v1' },
    { name: 'rejects both forms at once', sel: { version: 'v1', versions: ['v2'] }, error: /mutually exclusive/ },
    { name: 'rejects a version that is not served', sel: { versions: ['v3'] }, error: /"v3" is not served/ },
    { name: 'rejects an unknown version', sel: { versions: ['v9'] }, error: /"v9" does not exist/ },
  ];
  for (const c of cases) {
    it(c.name, function () {
      if (c.error !== undefined) {
        expect(() => selectVersions(crd(), c.sel)).to.throw(c.error);
        return;
      }
      const out = selectVersions(crd(), c.sel);
      expect(out.versions.map((v) => v.name)).to.deep.equal(c.want);
      expect(storageVersion(out)).to.equal(c.storage);
    });
  }
});
