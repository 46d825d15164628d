import { expect } from 'chai';
import type { KubeObject } from '../../../src/kube/object.ts';
import {
  type LocalObjectName,
  type LocalScope,
  type NamingRules,
  type TemplateRenderer,
  localObjectName,
} from '../../../src/translate/naming.ts';

const obj = (name: string, namespace?: string): KubeObject => ({
  apiVersion: 'kcp.example.com/v1',
  kind: 'CronTab',
  metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
  spec: { image: 'ubuntu' },
});

// sha3short('objnamespace') and sha3short('objname'): upstream's own test vector.
const NS_HASH = '2928c2aa0e510f017f07';
const NAME_HASH = '73d08a1ba188f1340dae';
const EMPTY_HASH = 'a7ffc6f8bf1ed76651c1';

/** A stand-in for the Go-template engine: answers from a fixed table. */
const fakeRenderer = (answers: Record<string, string>): TemplateRenderer => ({
  render(template: string): string {
    const answer = answers[template];
    if (answer === undefined) throw new Error(`unexpected template ${template}`);
    return answer;
  },
});

interface Case {
  name: string;
  rules: NamingRules | undefined;
  object?: KubeObject;
  scope?: LocalScope;
  renderer?: TemplateRenderer;
  expected?: LocalObjectName;
  error?: RegExp;
}

describe('localObjectName', function () {
  const cases: Case[] = [
    {
      name: 'without rules, a namespaced copy goes to the cluster-named namespace under hashed names',
      rules: undefined,
      expected: { namespace: 'testcluster', name: `${NS_HASH}-${NAME_HASH}` },
    },
    {
      name: 'empty rules count as unset',
      rules: { name: '', namespace: '' },
      expected: { namespace: 'testcluster', name: `${NS_HASH}-${NAME_HASH}` },
    },
    {
      name: 'without rules, a cluster-scoped local CRD gets the cluster name in the name and no namespace',
      rules: undefined,
      scope: 'Cluster',
      expected: { name: `testcluster-${NS_HASH}-${NAME_HASH}` },
    },
    {
      name: 'a cluster-scoped kcp object hashes the empty namespace instead of failing',
      rules: {},
      object: obj('objname'),
      expected: { namespace: 'testcluster', name: `${EMPTY_HASH}-${NAME_HASH}` },
    },
    {
      name: 'legacy placeholders build the name from cluster and remote name',
      rules: { name: '$remoteClusterName-$remoteName' },
      expected: { namespace: 'testcluster', name: 'testcluster-objname' },
    },
    {
      name: 'legacy $remoteNamespace is not mistaken for $remoteName followed by "space"',
      rules: { namespace: 'synced-$remoteNamespace', name: '$remoteName' },
      expected: { namespace: 'synced-objnamespace', name: 'objname' },
    },
    {
      name: 'legacy hash placeholders use the first 20 hex of SHA-1',
      rules: { name: '$remoteNamespaceHash-$remoteNameHash' },
      expected: { namespace: 'testcluster', name: 'e75ee3d444e238331f6a-8b09d63c82efb771a2c5' },
    },
    {
      name: 'a cluster-scoped local CRD ignores the namespace rule, even a template without a renderer',
      rules: { name: '$remoteName', namespace: '{{ .ClusterName }}' },
      scope: 'Cluster',
      expected: { name: 'objname' },
    },
    {
      name: 'template rules go through the renderer and are trimmed',
      rules: { name: '{{ .Object.metadata.name }}', namespace: 'ns-{{ .ClusterName }}' },
      renderer: fakeRenderer({
        '{{ .Object.metadata.name }}': ' objname\n',
        'ns-{{ .ClusterName }}': 'ns-testcluster',
      }),
      expected: { namespace: 'ns-testcluster', name: 'objname' },
    },
    {
      name: 'a name longer than 253 characters is refused',
      rules: { name: '$remoteName' },
      object: obj('y'.repeat(254), 'objnamespace'),
      error: /naming\.name.*254 characters/,
    },
    {
      name: 'a name of exactly 253 characters is accepted',
      rules: { name: '$remoteName' },
      object: obj('y'.repeat(253), 'objnamespace'),
      expected: { namespace: 'testcluster', name: 'y'.repeat(253) },
    },
    {
      name: 'a namespace longer than 63 characters is refused',
      rules: { namespace: 'synced-$remoteNamespace' },
      object: obj('objname', 'n'.repeat(57)),
      error: /naming\.namespace.*64 characters/,
    },
    {
      name: 'a namespace that is not a DNS-1123 label is refused',
      rules: { namespace: 'Synced_$remoteNamespace' },
      error: /naming\.namespace.*DNS-1123 label/,
    },
    {
      name: 'an empty rendered name is refused',
      rules: { name: '{{ .Nothing }}' },
      renderer: fakeRenderer({ '{{ .Nothing }}': '  ' }),
      error: /naming\.name.*empty/,
    },
    {
      name: 'a template name without a renderer says templates are not supported yet',
      rules: { name: '{{ .Object.metadata.name }}' },
      error: /naming\.name.*templates are not supported yet/,
    },
    {
      name: 'a template namespace without a renderer says templates are not supported yet',
      rules: { namespace: '{{ .ClusterName }}' },
      error: /naming\.namespace.*templates are not supported yet/,
    },
    {
      name: 'a failing template names the field',
      rules: { name: '{{ broken' },
      renderer: fakeRenderer({}),
      error: /failed to render naming\.name/,
    },
  ];

  for (const c of cases) {
    it(c.name, function () {
      const object = c.object ?? obj('objname', 'objnamespace');
      const before = structuredClone(object);
      const run = (): LocalObjectName =>
        localObjectName(
          c.rules,
          { object, clusterName: 'testcluster', clusterPath: 'root:org' },
          c.scope ?? 'Namespaced',
          c.renderer,
        );
      if (c.error !== undefined) {
        expect(run).to.throw(Error, c.error);
      } else {
        expect(run()).to.deep.equal(c.expected);
      }
      expect(object).to.deep.equal(before);
    });
  }

  it("gives templates upstream's data shape and a copy they cannot hurt the input through", function () {
    const object = obj('objname', 'objnamespace');
    let seen: unknown;
    const renderer: TemplateRenderer = {
      render(_template: string, data: unknown): string {
        seen = structuredClone(data);
        (data as { Object: KubeObject }).Object.metadata.name = 'changed';
        return 'x';
      },
    };
    localObjectName(
      { name: '{{ x }}' },
      { object, clusterName: 'c1', clusterPath: 'root:org' },
      'Namespaced',
      renderer,
    );
    expect(seen).to.deep.equal({ Object: obj('objname', 'objnamespace'), ClusterName: 'c1', ClusterPath: 'root:org' });
    expect(object.metadata.name).to.equal('objname');
  });

  it('keeps the renderer error as the cause', function () {
    const boom = new Error('boom');
    const renderer: TemplateRenderer = {
      render: () => {
        throw boom;
      },
    };
    try {
      localObjectName(
        { name: '{{ x }}' },
        { object: obj('a', 'b'), clusterName: 'c', clusterPath: '' },
        'Namespaced',
        renderer,
      );
      expect.fail('expected an error');
    } catch (err) {
      expect((err as Error).cause).to.equal(boom);
    }
  });
});
