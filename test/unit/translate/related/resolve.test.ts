import { expect } from 'chai';
import type { RelatedResourceSpec } from '../../../../src/apis/v1alpha1/zz_generated.types.ts';
import type { KubeObject } from '../../../../src/kube/object.ts';
import type { LocateContext, RelatedLister } from '../../../../src/translate/related/locate.ts';
import { type RelatedPair, resolveRelated } from '../../../../src/translate/related/resolve.ts';
import { compileRelatedRules } from '../../../../src/translate/related/rule.ts';
import { goTemplates } from '../../../../src/gotemplate/index.ts';

/** A consumer's Certificate in kcp and its copy (renamed by a mutation) on the service cluster. */
const remote: KubeObject = {
  apiVersion: 'certs.example.com/v1',
  kind: 'Certificate',
  metadata: { name: 'web', namespace: 'default', labels: { team: 'a' } },
  spec: {
    secretName: 'web-tls',
    secretNamespace: 'tenant-b',
    items: [{ name: 'one' }, { name: '' }, { name: 'three' }],
  },
};
const local: KubeObject = {
  apiVersion: 'certs.example.com/v1',
  kind: 'Certificate',
  metadata: { name: 'web', namespace: 'cluster-a' },
  spec: {
    secretName: 'svc-web-tls',
    secretNamespace: 'tenant-b',
    items: [{ name: 'svc-one' }, { name: 'svc-two' }, { name: '' }],
  },
  status: { issuedSecret: 'issued-web' },
};
const ctx: LocateContext = { remote, local, clusterName: 'cluster-a', clusterPath: 'root:a', renderer: goTemplates };

/** Objects and namespaces the fake lister knows, by side; the selector string it was asked for is recorded. */
const SERVICE_SECRETS: KubeObject[] = [
  { metadata: { name: 'found-1', namespace: 'cluster-a', labels: { find: 'me' } } },
  { metadata: { name: 'found-2', namespace: 'cluster-a', labels: { find: 'me' } } },
];
const asked: string[] = [];
const lister: RelatedLister = (side, selector, namespace) => {
  asked.push(`${side}:${namespace ?? '<namespaces>'}:${selector}`);
  if (namespace === undefined) return Promise.resolve([{ metadata: { name: `${side}-ns` } }]);
  return Promise.resolve(side === 'service' ? SERVICE_SECRETS : []);
};

const secretRule = (
  object: RelatedResourceSpec['object'],
  origin: 'service' | 'kcp' = 'service',
): RelatedResourceSpec => ({ identifier: 'creds', origin, kind: 'Secret', object });

const pair = (kcp: string, service: string, flags: Partial<RelatedPair> = {}): RelatedPair => {
  const [kns = '', kname = ''] = kcp.split('/');
  const [sns = '', sname = ''] = service.split('/');
  return {
    kcp: { namespace: kns, name: kname },
    service: { namespace: sns, name: sname },
    serviceNamespaceTrusted: true,
    exclusive: false,
    ...flags,
  };
};

interface Case {
  name: string;
  rule: RelatedResourceSpec;
  context?: LocateContext;
  expected?: RelatedPair[];
  error?: RegExp;
  asked?: string[];
}

describe('resolveRelated', function () {
  const cases: Case[] = [
    {
      name: "a reference is read on both sides; a name from the consumer's spec is exclusive",
      rule: secretRule({ reference: { path: 'spec.secretName' } }),
      expected: [pair('default/web-tls', 'cluster-a/svc-web-tls', { exclusive: true })],
    },
    {
      name: "a reference into the copy's status (written by the operator) is not exclusive",
      rule: secretRule({ reference: { path: 'status.issuedSecret' } }),
      context: { ...ctx, remote: { ...remote, status: { issuedSecret: 'issued-web' } } },
      expected: [pair('default/issued-web', 'cluster-a/issued-web')],
    },
    {
      name: 'a reference that does not exist (yet) resolves to nothing, without an error',
      rule: secretRule({ reference: { path: 'spec.missing' } }),
      expected: [],
    },
    {
      name: 'an array reference pairs its items; pairs with an empty side are skipped',
      rule: secretRule({ reference: { path: 'spec.items.#.name' } }),
      expected: [pair('default/one', 'cluster-a/svc-one', { exclusive: true })],
    },
    {
      name: 'arrays of different lengths on the two sides are an error naming the path',
      rule: secretRule({ reference: { path: 'spec.items.#.name' } }),
      context: { ...ctx, local: { ...local, spec: { items: [{ name: 'x' }] } } },
      error: /spec\.related\[0\]\.object\.reference\.path: yields 3 value\(s\) in kcp but 1/,
    },
    {
      name: 'a reference regex rewrites each value; an empty pattern replaces it',
      rule: secretRule({ reference: { path: 'metadata.name', regex: { pattern: '^(.*)$', replacement: '$1-creds' } } }),
      expected: [pair('default/web-creds', 'cluster-a/web-creds')],
    },
    {
      name: 'a template sees .Side, .Object and .ClusterName',
      rule: secretRule({ template: { template: '{{ .Side }}-{{ .Object.metadata.name }}-{{ .ClusterName }}' } }),
      expected: [pair('default/kcp-web-cluster-a', 'cluster-a/service-web-cluster-a')],
    },
    {
      name: 'a template rendering empty on one side skips the object',
      rule: secretRule({ template: { template: '{{ if eq .Side "kcp" }}x{{ end }}' } }),
      expected: [],
    },
    {
      name: 'a template that fails is an error naming the field',
      rule: secretRule({ template: { template: '{{ fail "no" }}' } }),
      error: /spec\.related\[0\]\.object\.template\.template: .*no/,
    },
    {
      name: 'a provider-chosen namespace (upstream\'s "foreign namespace" case) is trusted',
      rule: secretRule({
        template: { template: 'creds' },
        namespace: {
          template: {
            template: '{{ if eq .Side "kcp" }}{{ .Object.metadata.namespace }}{{ else }}other-namespace{{ end }}',
          },
        },
      }),
      expected: [pair('default/creds', 'other-namespace/creds')],
    },
    {
      name: "a namespace taken from the consumer's spec is not trusted",
      rule: secretRule({ template: { template: 'creds' }, namespace: { reference: { path: 'spec.secretNamespace' } } }),
      expected: [pair('tenant-b/creds', 'tenant-b/creds', { serviceNamespaceTrusted: false })],
    },
    {
      name: 'a cluster-scoped primary needs object.namespace',
      rule: secretRule({ template: { template: 'creds' } }),
      context: {
        ...ctx,
        remote: { ...remote, metadata: { name: 'web' } },
        local: { ...local, metadata: { name: 'web' } },
      },
      error: /object\.namespace: is required when the primary object is cluster-scoped/,
    },
    {
      name: 'a selector lists on the origin side with templated labels (sprig functions) and rewrites each name',
      rule: secretRule({
        selector: {
          matchLabels: { ' {{ list "fi" "nd" | join "-" }} ': '{{ .ClusterName }}' },
          rewrite: { template: { template: 'my-{{ .Value }}' } },
        },
      }),
      expected: [
        pair('cluster-a/my-found-1', 'cluster-a/found-1'),
        pair('cluster-a/my-found-2', 'cluster-a/found-2'),
      ].map((p) => ({ ...p, kcp: { ...p.kcp, namespace: 'default' } })),
      asked: ['service:cluster-a:fi-nd=cluster-a'],
    },
    {
      name: "a selector built from the consumer's object makes its finds exclusive",
      rule: secretRule({
        selector: {
          matchLabels: { cert: '{{ .RemoteObject.metadata.name }}' },
          rewrite: { regex: { pattern: '^found', replacement: 'got' } },
        },
      }),
      expected: [
        pair('default/got-1', 'cluster-a/found-1', { exclusive: true }),
        pair('default/got-2', 'cluster-a/found-2', { exclusive: true }),
      ],
      asked: ['service:cluster-a:cert=web'],
    },
    {
      name: 'a namespace selector lists namespaces on the origin side',
      rule: secretRule({
        template: { template: 'creds' },
        namespace: {
          selector: { matchLabels: { tenant: 'a' }, rewrite: { template: { template: 'ns-{{ .Value }}' } } },
        },
      }),
      expected: [pair('ns-service-ns/creds', 'service-ns/creds')],
      asked: ['service:<namespaces>:tenant=a'],
    },
  ];
  for (const c of cases) {
    it(c.name, async function () {
      asked.length = 0;
      const [rule] = compileRelatedRules([c.rule]);
      const run = resolveRelated(rule!, c.context ?? ctx, lister, true);
      if (c.error !== undefined) {
        await run.then(
          () => expect.fail('expected an error'),
          (err: unknown) => {
            expect(String(err)).to.match(c.error!);
          },
        );
        return;
      }
      expect(await run).to.deep.equal(c.expected);
      if (c.asked !== undefined) expect(asked).to.deep.equal(c.asked);
    });
  }
});
