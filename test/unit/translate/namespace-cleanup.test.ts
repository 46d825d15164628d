import { expect } from 'chai';
import { AGENT_NAME_LABEL, NAMESPACE_CREATED_BY_LABEL } from '../../../src/apis/v1alpha1/constants.ts';
import type { KubeObject } from '../../../src/kube/object.ts';
import {
  type NamespaceContents,
  namespaceEntry,
  namespaceVerdict,
  type NamespaceVerdict,
} from '../../../src/translate/namespace-cleanup.ts';

const AGENT = 'agent-a';

const namespace = (
  labels: Record<string, string> = { [NAMESPACE_CREATED_BY_LABEL]: AGENT },
  deleting = false,
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'ws1', labels, ...(deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
});

const obj = (name: string, meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Thing',
  metadata: { name, namespace: 'ws1', ...meta },
});

const housekeeping = [
  namespaceEntry('serviceaccounts', obj('default')),
  namespaceEntry('configmaps', obj('kube-root-ca.crt')),
  namespaceEntry('events', obj('copy.17f')),
  namespaceEntry('events.events.k8s.io', obj('copy.17f')),
];
const complete = (...entries: ReturnType<typeof namespaceEntry>[]): NamespaceContents => ({
  complete: true,
  entries: [...housekeeping, ...entries],
});

describe('namespaceVerdict', function () {
  const cases: { name: string; ns: KubeObject; contents: NamespaceContents; expected: NamespaceVerdict['action'] }[] = [
    {
      name: 'a namespace the agent created with only housekeeping left is deleted',
      ns: namespace(),
      contents: complete(),
      expected: 'delete',
    },
    {
      name: 'a namespace that existed before (no label) is never deleted',
      ns: namespace({}),
      contents: complete(),
      expected: 'keep',
    },
    {
      name: "another agent's namespace is not this agent's to delete",
      ns: namespace({ [NAMESPACE_CREATED_BY_LABEL]: 'agent-b' }),
      contents: complete(),
      expected: 'keep',
    },
    {
      name: 'a copy of ours (any PublishedResource) keeps it',
      ns: namespace(),
      contents: complete(namespaceEntry('backups.example.com', obj('b', { labels: { [AGENT_NAME_LABEL]: AGENT } }))),
      expected: 'keep',
    },
    {
      name: "another agent's copy keeps it for now: look again later (its consumer may delete it)",
      ns: namespace(),
      contents: complete(
        namespaceEntry('crontabs.example.com', obj('c', { labels: { [AGENT_NAME_LABEL]: 'agent-b' } })),
      ),
      expected: 'recheck',
    },
    {
      name: "an operator's own object (no owner) keeps it for good",
      ns: namespace(),
      contents: complete(namespaceEntry('persistentvolumeclaims', obj('data'))),
      expected: 'keep',
    },
    {
      name: "an operator's object next to another agent's copy keeps it for good",
      ns: namespace(),
      contents: complete(
        namespaceEntry('crontabs.example.com', obj('c', { labels: { [AGENT_NAME_LABEL]: 'agent-b' } })),
        namespaceEntry('secrets', obj('operator-secret')),
      ),
      expected: 'keep',
    },
    {
      name: 'a service account other than default keeps it',
      ns: namespace(),
      contents: complete(namespaceEntry('serviceaccounts', obj('builder'))),
      expected: 'keep',
    },
    {
      name: 'only objects with owners left (garbage collection on its way): look again later',
      ns: namespace(),
      contents: complete(
        namespaceEntry('pods', obj('p', { ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u' }] })),
      ),
      expected: 'recheck',
    },
    {
      name: 'contents the agent may not list (403): keep',
      ns: namespace(),
      contents: { complete: false, why: '403 Forbidden', mayPass: false },
      expected: 'keep',
    },
    {
      name: 'contents that could not be listed completely for now (a long list, an error): look again later',
      ns: namespace(),
      contents: { complete: false, why: 'more than 20 crontabs.example.com', mayPass: true },
      expected: 'recheck',
    },
    {
      name: 'a namespace being deleted already is left to Kubernetes',
      ns: namespace(undefined, true),
      contents: complete(),
      expected: 'keep',
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      expect(namespaceVerdict(c.ns, AGENT, c.contents).action).to.equal(c.expected);
    });
  }
});
