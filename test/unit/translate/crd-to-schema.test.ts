import { expect } from 'chai';
import type { CrdSpec } from '../../../src/apis/apiextensions.ts';
import { canonicalJson, crdToAPIResourceSchema } from '../../../src/translate/crd-to-schema.ts';

const base = (): CrdSpec => ({
  group: 'example.com',
  scope: 'Namespaced',
  names: { kind: 'CronTab', plural: 'crontabs', singular: 'crontab', listKind: 'CronTabList' },
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      subresources: { status: {} },
      schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } } } },
    },
  ],
});

describe('crdToAPIResourceSchema', function () {
  it('names the schema v<hash>.<plural>.<group> and copies the versions', function () {
    const ars = crdToAPIResourceSchema(base());
    expect(ars.metadata.name).to.match(/^v[0-9a-f]{8}\.crontabs\.example\.com$/);
    expect(ars.spec.versions).to.deep.equal([
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: { type: 'object', properties: { spec: { type: 'object' } } },
      },
    ]);
    expect(ars.spec.conversion).to.equal(undefined);
  });

  it('gives a new name when the schema changes and the old name when the change is reverted', function () {
    const changed = base();
    changed.versions[0]!.schema = { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'string' } } } };
    const a = crdToAPIResourceSchema(base()).metadata.name;
    const b = crdToAPIResourceSchema(changed).metadata.name;
    expect(a).to.not.equal(b);
    expect(crdToAPIResourceSchema(base()).metadata.name).to.equal(a);
  });

  it('declares no conversion for several versions, since kcp cannot convert', function () {
    const spec = base();
    spec.versions.push({ name: 'v2', served: true, storage: false });
    const ars = crdToAPIResourceSchema(spec);
    expect(ars.spec.conversion).to.deep.equal({ strategy: 'None' });
    expect(ars.spec.versions[1]!.schema).to.deep.equal({
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    });
  });

  it('hashes content, not key order', function () {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).to.equal(canonicalJson({ a: [{ c: 3, d: 2 }], b: 1 }));
  });
});
