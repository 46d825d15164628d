import type { CustomResourceDefinition } from '../../src/apis/apiextensions.ts';
import type { PublishedResource } from '../../src/apis/v1alpha1/published-resource.ts';

/** The CronTab CRD of the service cluster, served in v1 with a status subresource. */
export const CRONTAB_CRD: CustomResourceDefinition = {
  metadata: { name: 'crontabs.example.com' },
  spec: {
    group: 'example.com',
    names: { plural: 'crontabs', kind: 'CronTab' },
    scope: 'Namespaced',
    versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} } }],
  },
};

export const SCHEMA_READY = {
  type: 'SchemaReady',
  status: 'True' as const,
  reason: 'Published',
  message: 'ok',
  lastTransitionTime: '2025-01-01T00:00:00Z',
};

/** A PublishedResource of CronTabs whose schema is published, unless the overrides say otherwise. */
export function publishedCronTabs(
  name: string,
  spec: Partial<PublishedResource['spec']> = {},
  status: PublishedResource['status'] = { resourceSchemaName: 'vabc.crontabs.example.com', conditions: [SCHEMA_READY] },
): PublishedResource {
  return {
    apiVersion: 'syncagent.kcp.io/v1alpha1',
    kind: 'PublishedResource',
    metadata: { name },
    spec: { resource: { apiGroup: 'example.com', kind: 'CronTab', versions: ['v1'] }, ...spec },
    status,
  };
}
