import { expect } from 'chai';
import type { PublishedResource } from '../../../src/apis/v1alpha1/published-resource.ts';
import { publishConflicts } from '../../../src/translate/publish-conflicts.ts';

function pr(name: string, schema: string | undefined, created?: string): PublishedResource {
  return {
    apiVersion: 'syncagent.kcp.io/v1alpha1',
    kind: 'PublishedResource',
    metadata: { name, ...(created === undefined ? {} : { creationTimestamp: created }) },
    spec: { resource: { apiGroup: 'example.com', kind: 'CronTab' } },
    ...(schema === undefined ? {} : { status: { resourceSchemaName: schema } }),
  };
}

describe('publishConflicts', function () {
  const cases: { name: string; prs: PublishedResource[]; want: Record<string, string> }[] = [
    {
      name: 'different resources do not conflict',
      prs: [pr('a', 'v1.crontabs.example.com'), pr('b', 'v2.backups.example.com'), pr('c', 'v3.crontabs.example.org')],
      want: {},
    },
    {
      name: 'the older of two resources with the same plural and group wins, whatever the schema hash',
      prs: [
        pr('young', 'v2.crontabs.example.com', '2025-02-01T00:00:00Z'),
        pr('old', 'v1.crontabs.example.com', '2025-01-01T00:00:00Z'),
      ],
      want: { young: 'PublishedResource "old" already publishes crontabs.example.com' },
    },
    {
      name: 'created in the same second, the name decides',
      prs: [
        pr('b', 'v1.crontabs.example.com', '2025-01-01T00:00:00Z'),
        pr('a', 'v1.crontabs.example.com', '2025-01-01T00:00:00Z'),
      ],
      want: { b: 'PublishedResource "a" already publishes crontabs.example.com' },
    },
    {
      name: 'a resource without a schema yet conflicts with nothing',
      prs: [pr('a', 'v1.crontabs.example.com'), pr('b', undefined)],
      want: {},
    },
    {
      name: 'the core group is named by the plural alone',
      prs: [pr('a', 'v1.configmaps.core'), pr('b', 'v2.configmaps.core')],
      want: { b: 'PublishedResource "a" already publishes configmaps in kcp' },
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const got = publishConflicts(c.prs);
      expect([...got.keys()].sort()).to.deep.equal(Object.keys(c.want).sort());
      for (const [name, fragment] of Object.entries(c.want))
        expect(got.get(name)).to.include(fragment).and.include('spec.projection');
    });
  }
});
