import { expect } from 'chai';
import { NAMESPACE_CREATED_BY_LABEL } from '../../../src/apis/v1alpha1/constants.ts';
import { reconcileNamespace } from '../../../src/controllers/namespaces/reconciler.ts';
import type { KubeObject } from '../../../src/kube/object.ts';
import { nopLogger } from '../../../src/log/logger.ts';
import type { NamespaceContents } from '../../../src/translate/namespace-cleanup.ts';

const ours: KubeObject = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'ws1', uid: 'u1', labels: { [NAMESPACE_CREATED_BY_LABEL]: 'agent-a' } },
};

describe('reconcileNamespace', function () {
  const cases: {
    name: string;
    ns: KubeObject | undefined;
    contents: NamespaceContents;
    /** A sync's cache holds a copy in it. */
    cachedCopies?: boolean;
    deleted: string[];
    requeue: boolean;
  }[] = [
    {
      name: 'a namespace a sync still has copies in is kept without looking further',
      ns: ours,
      contents: { complete: true, entries: [] },
      cachedCopies: true,
      deleted: [],
      requeue: false,
    },
    {
      name: 'an empty namespace of ours is deleted by uid',
      ns: ours,
      contents: { complete: true, entries: [] },
      deleted: ['u1'],
      requeue: false,
    },
    {
      name: 'a namespace already gone needs nothing',
      ns: undefined,
      contents: { complete: true, entries: [] },
      deleted: [],
      requeue: false,
    },
    {
      name: 'objects waiting for garbage collection: look again later, nothing deleted',
      ns: ours,
      contents: { complete: true, entries: [{ resource: 'pods', name: 'p', agent: undefined, owned: true }] },
      deleted: [],
      requeue: true,
    },
    {
      name: 'contents it may not list: nothing deleted, no retry',
      ns: ours,
      contents: { complete: false, why: 'forbidden', mayPass: false },
      deleted: [],
      requeue: false,
    },
    {
      name: 'contents unknown for now: nothing deleted, look again later',
      ns: ours,
      contents: { complete: false, why: 'more than 20 crontabs.example.com', mayPass: true },
      deleted: [],
      requeue: true,
    },
  ];
  for (const c of cases) {
    it(c.name, async function () {
      const deleted: string[] = [];
      const result = await reconcileNamespace('ws1', {
        agentName: 'agent-a',
        logger: nopLogger,
        hasCopies: () => c.cachedCopies === true,
        getNamespace: () => Promise.resolve(c.ns),
        contents: () => Promise.resolve(c.contents),
        deleteNamespace: (ns) => {
          deleted.push(ns.metadata.uid ?? '');
          return Promise.resolve();
        },
      });
      expect(deleted).to.deep.equal(c.deleted);
      expect(result?.requeueAfterMs !== undefined).to.equal(c.requeue);
    });
  }
});
