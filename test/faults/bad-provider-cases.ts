// The table of broken PublishedResources (issue 20, item 6). Each case is a
// PublishedResource a provider might write by mistake, and the field the
// agent must name in a False condition (or the API server in its refusal).
// All of them run next to one good PublishedResource under one agent.

export interface BadProviderCase {
  readonly title: string;
  /** The PublishedResource's spec (its name is derived from the case index). */
  readonly spec: (i: number) => Record<string, unknown>;
  /** Text the condition (or the API server's refusal) must contain: the field. */
  readonly field: string;
}

/** The CronTab CRD the good PublishedResource publishes, under a group of the case's own. */
const crontab = (_i: number): Record<string, unknown> => ({
  apiGroup: 'example.com',
  kind: 'CronTab',
  versions: ['v1'],
});
const projected = (i: number): Record<string, unknown> => ({ group: `bad-${i}.example.net` });
const withMutation =
  (direction: 'spec' | 'status', rule: Record<string, unknown>) =>
  (i: number): Record<string, unknown> => ({
    resource: crontab(i),
    projection: projected(i),
    mutation: { [direction]: [rule] },
  });
const withNaming =
  (naming: Record<string, unknown>) =>
  (i: number): Record<string, unknown> => ({ resource: crontab(i), projection: projected(i), naming });
const withFilter =
  (filter: Record<string, unknown>) =>
  (i: number): Record<string, unknown> => ({ resource: crontab(i), projection: projected(i), filter });
const withProjection =
  (projection: Record<string, unknown>) =>
  (i: number): Record<string, unknown> => ({ resource: crontab(i), projection });
const withRelated =
  (related: Record<string, unknown>[]) =>
  (i: number): Record<string, unknown> => ({ resource: crontab(i), projection: projected(i), related });
const secretRule = (extra: Record<string, unknown>): Record<string, unknown> => ({
  identifier: 'credentials',
  origin: 'service',
  group: '',
  version: 'v1',
  resource: 'secrets',
  object: { template: { template: 'db-credentials' } },
  ...extra,
});

export const BAD_PROVIDER_CASES: readonly BadProviderCase[] = [
  {
    title: 'regex pattern that does not compile (spec)',
    spec: withMutation('spec', { regex: { path: 'spec.image', pattern: '^(registry', replacement: 'x' } }),
    field: 'spec.mutation.spec[0].regex',
  },
  {
    title: 'regex pattern that does not compile (status)',
    spec: withMutation('status', { regex: { path: 'status.phase', pattern: '[a-', replacement: 'x' } }),
    field: 'spec.mutation.status[0].regex',
  },
  {
    title: 'regex with a look-behind Go does not support',
    spec: withMutation('spec', { regex: { path: 'spec.image', pattern: '(?<=x)y', replacement: 'z' } }),
    field: 'spec.mutation.spec[0].regex',
  },
  {
    title: 'CEL syntax error (spec)',
    spec: withMutation('spec', { cel: { path: 'spec.replicas', expression: 'value * (' } }),
    field: 'spec.mutation.spec[0].cel',
  },
  {
    title: 'CEL syntax error (status)',
    spec: withMutation('status', { cel: { path: 'status.phase', expression: '"a" +' } }),
    field: 'spec.mutation.status[0].cel',
  },
  {
    title: 'CEL naming an undeclared variable',
    spec: withMutation('spec', { cel: { path: 'spec.replicas', expression: 'nosuchvariable + 1' } }),
    field: 'spec.mutation.spec[0].cel',
  },
  {
    title: 'template that does not parse',
    spec: withMutation('spec', { template: { path: 'spec.image', template: '{{ .Value.String ' } }),
    field: 'spec.mutation.spec[0].template',
  },
  {
    title: 'template calling an unknown function',
    spec: withMutation('spec', { template: { path: 'spec.image', template: '{{ nosuchfunction .Value }}' } }),
    field: 'spec.mutation.spec[0].template',
  },
  { title: 'mutation rule of no kind', spec: withMutation('spec', {}), field: 'spec.mutation.spec[0]' },
  {
    title: 'mutation rule of two kinds',
    spec: withMutation('spec', {
      delete: { path: 'spec.image' },
      regex: { path: 'spec.image', pattern: 'a', replacement: 'b' },
    }),
    field: 'spec.mutation.spec[0]',
  },
  {
    title: 'delete rule with an empty path',
    spec: withMutation('spec', { delete: { path: '' } }),
    field: 'spec.mutation.spec[0]',
  },
  {
    title: 'naming.name template that does not parse',
    spec: withNaming({ name: '{{ .Object.metadata.name' }),
    field: 'spec.naming.name',
  },
  {
    title: 'naming.namespace template that does not parse',
    spec: withNaming({ namespace: '{{ if }}' }),
    field: 'spec.naming.namespace',
  },
  {
    title: 'naming.name template calling an unknown function',
    spec: withNaming({ name: '{{ .Object.metadata.name | nosuchfunction }}' }),
    field: 'spec.naming.name',
  },
  {
    title: 'naming.namespace template closing a block it never opened',
    spec: withNaming({ namespace: '{{ end }}' }),
    field: 'spec.naming.namespace',
  },
  {
    title: 'resource filter with an unknown operator',
    spec: withFilter({ resource: { matchExpressions: [{ key: 'a', operator: 'Sometimes', values: ['b'] }] } }),
    field: 'spec.filter.resource',
  },
  {
    title: 'resource filter "In" without values',
    spec: withFilter({ resource: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] } }),
    field: 'spec.filter.resource',
  },
  {
    title: 'namespace filter with an invalid label key',
    spec: withFilter({ namespace: { matchLabels: { 'not a key!': 'x' } } }),
    field: 'spec.filter.namespace',
  },
  {
    title: 'a version the CRD lacks',
    spec: (i) => ({
      resource: { apiGroup: 'example.com', kind: 'CronTab', versions: ['v9'] },
      projection: projected(i),
    }),
    field: 'spec.resource.versions',
  },
  {
    title: 'version and versions together',
    spec: (i) => ({
      resource: { apiGroup: 'example.com', kind: 'CronTab', version: 'v1', versions: ['v1'] },
      projection: projected(i),
    }),
    field: 'spec.resource.version',
  },
  {
    title: 'a kind no CRD serves',
    spec: (i) => ({
      resource: { apiGroup: 'example.com', kind: 'NoSuchKind', versions: ['v1'] },
      projection: projected(i),
    }),
    field: 'spec.resource',
  },
  {
    title: 'a group no CRD serves',
    spec: (i) => ({ resource: { apiGroup: `nothing-${i}.example.org`, kind: 'CronTab', versions: ['v1'] } }),
    field: 'spec.resource',
  },
  {
    title: 'projection into a group kcp serves itself',
    spec: withProjection({ group: 'apis.kcp.io' }),
    field: 'spec.projection.group',
  },
  {
    title: 'projection renaming a version that is not published',
    spec: withProjection({ group: 'bad-v.example.net', versions: { v7: 'v8' } }),
    field: 'spec.projection.versions',
  },
  {
    title: 'projection renaming a version to the empty name',
    spec: withProjection({ group: 'bad-e.example.net', versions: { v1: '' } }),
    field: 'spec.projection.versions',
  },
  {
    title: 'projection version and versions together',
    spec: withProjection({ group: 'bad-b.example.net', version: 'v2', versions: { v1: 'v3' } }),
    field: 'spec.projection.version',
  },
  {
    title: 'no projection: collides with the good PublishedResource',
    spec: () => ({ resource: { apiGroup: 'example.com', kind: 'CronTab', versions: ['v1'] } }),
    field: 'already publishes',
  },
  {
    title: "projection onto the good one's group and kind",
    spec: () => ({
      resource: { apiGroup: 'example.com', kind: 'CronTab', versions: ['v1'] },
      projection: { group: 'example.com', kind: 'CronTab' },
    }),
    field: 'already publishes',
  },
  {
    title: 'related rule with an invalid identifier',
    spec: withRelated([secretRule({ identifier: 'Not An Identifier!' })]),
    field: 'spec.related[0].identifier',
  },
  {
    title: 'related rules with the same identifier',
    spec: withRelated([secretRule({}), secretRule({})]),
    field: 'spec.related[1].identifier',
  },
  {
    title: 'related rule with an unknown origin',
    spec: withRelated([secretRule({ origin: 'elsewhere' })]),
    field: 'spec.related[0].origin',
  },
  {
    title: 'related rule whose template does not parse',
    spec: withRelated([secretRule({ object: { template: { template: '{{ .Object' } } })]),
    field: 'spec.related[0]',
  },
  {
    title: 'related rule with reference and template',
    spec: withRelated([
      secretRule({ object: { template: { template: 'x' }, reference: { path: 'spec.secretName' } } }),
    ]),
    field: 'spec.related[0]',
  },
  {
    title: 'related rule without version and resource',
    spec: withRelated([{ identifier: 'x', origin: 'kcp', object: { template: { template: 'x' } } }]),
    field: 'spec.related[0]',
  },
  {
    title: 'related rule whose selector rewrite has regex and template',
    spec: withRelated([
      secretRule({
        object: {
          selector: {
            labelSelector: { matchLabels: { a: 'b' } },
            rewrite: { regex: { pattern: 'a', replacement: 'b' }, template: { template: 'x' } },
          },
        },
      }),
    ]),
    field: 'spec.related[0].object.selector.rewrite',
  },
  {
    title: 'related rule with a kind that is not ConfigMap or Secret',
    spec: withRelated([{ identifier: 'x', origin: 'kcp', kind: 'Pod', object: { template: { template: 'x' } } }]),
    field: 'spec.related[0].kind',
  },
];
