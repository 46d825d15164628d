// Related objects of other types than Secrets: a ConfigMap the operator
// writes that the consumer reads as a Secret, a type of the agent's own
// export that is published only to be related, and a type of another
// provider's export, named by its identity hash.
import { expect } from 'chai';
import type { KubeObject } from '../../src/kube/object.ts';
import {
  BACKUPS,
  CRONTABS,
  CRONTABS_PATH,
  configMap,
  configMapPath,
  crontab,
  localCrontab,
  markCopy,
  plain,
  publishedResource,
  waitObject,
} from '../utils/related-checks.ts';
import { type Story, StoryStage } from '../utils/related-story.ts';

/** Backups published only to be related objects: no sync of their own. */
const backupsOnly = (name: string, group: string): KubeObject =>
  publishedResource(name, { resource: BACKUPS, projection: { group }, synchronization: { enabled: false } });

const backup = (namespace: string): KubeObject => ({
  apiVersion: 'backups.example.com/v1',
  kind: 'Backup',
  metadata: { name: 'my-backup', namespace },
  spec: { source: 'db', retention: 7 },
});

describe('related resources of other types', function () {
  const stage = new StoryStage('related-types');

  /** The consumer's CronTab is copied; the operator writes `related` next to the copy and marks the copy. */
  const operate = async (
    story: Story,
    related: (namespace: string) => KubeObject,
    collection: (namespace: string) => string,
  ): Promise<void> => {
    const team = story.consumers[0]!;
    await team.client.create(CRONTABS_PATH, crontab('my-crontab'));
    const copyPath = localCrontab(team.ws.cluster, 'my-crontab');
    await waitObject(stage.local, copyPath, 'the copy of my-crontab');
    await stage.local.create(collection(team.ws.cluster), related(team.ws.cluster));
    await markCopy(stage.local, copyPath);
  };

  it('the operator writes a ConfigMap and the consumer reads it as a Secret', async function () {
    const story = await stage.start({
      id: 'cm-secret',
      publishedResources: [
        publishedResource('cm-secret-crontabs', {
          resource: CRONTABS,
          related: [
            {
              identifier: 'credentials',
              origin: 'service',
              version: 'v1',
              resource: 'configmaps',
              projection: { resource: 'secrets' },
              object: { template: { template: 'my-credentials' } },
            },
          ],
        }),
      ],
      expectClaims: ['/secrets'],
      probe: CRONTABS_PATH,
    });
    await operate(
      story,
      (ns) => configMap(ns, 'my-credentials', { password: Buffer.from('hunter2').toString('base64') }),
      configMapPath,
    );
    const got = await waitObject(
      story.consumers[0]!.client,
      '/api/v1/namespaces/default/secrets/my-credentials',
      'the Secret made from the ConfigMap',
    );
    expect(got.kind).to.equal('Secret');
    expect(plain(got)).to.deep.equal({ password: 'hunter2' });
  });

  it('a Backup the operator makes for the copy reaches the consumer through the same export', async function () {
    const story = await stage.start({
      id: 'same-export',
      publishedResources: [
        backupsOnly('same-export-backups', 'backups.kcp.example.com'),
        publishedResource('same-export-crontabs', {
          resource: CRONTABS,
          related: [
            {
              identifier: 'the-backup',
              origin: 'service',
              group: 'backups.example.com',
              version: 'v1',
              resource: 'backups',
              projection: { group: 'backups.kcp.example.com' },
              object: { template: { template: 'my-backup' } },
            },
          ],
        }),
      ],
      probe: CRONTABS_PATH,
    });
    await operate(story, backup, (ns) => `/apis/backups.example.com/v1/namespaces/${ns}/backups`);
    const got = await waitObject(
      story.consumers[0]!.client,
      '/apis/backups.kcp.example.com/v1/namespaces/default/backups/my-backup',
      'the Backup in the consumer workspace',
    );
    expect(got.apiVersion).to.equal('backups.kcp.example.com/v1');
    expect(got['spec']).to.deep.equal({ source: 'db', retention: 7 });
  });

  it("a Backup of another provider's export reaches the consumer when the provider names that export's identity", async function () {
    // Initroid publishes Backups (no sync); Initech relates them to its CronTabs.
    const initroid = await stage.start({
      id: 'initroid',
      publishedResources: [backupsOnly('initroid-backups', 'initroid.example.com')],
      consumers: 0,
    });
    const identityHash = await waitObject(
      initroid.providerAdmin,
      `/apis/apis.kcp.io/v1alpha2/apiexports/${initroid.exportName}`,
      "the identity hash of Initroid's export",
      (e) => typeof (e['status'] as { identityHash?: unknown } | undefined)?.identityHash === 'string',
    ).then((e) => (e['status'] as { identityHash: string }).identityHash);
    const initech = await stage.start({
      id: 'initech',
      publishedResources: [
        publishedResource('initech-crontabs', {
          resource: CRONTABS,
          related: [
            {
              identifier: 'the-backup',
              origin: 'service',
              group: 'backups.example.com',
              version: 'v1',
              resource: 'backups',
              projection: { group: 'initroid.example.com' },
              identityHash,
              object: { template: { template: 'my-backup' } },
            },
          ],
        }),
      ],
      alsoBind: [{ path: initroid.provider.path, name: initroid.exportName }],
      expectClaims: ['initroid.example.com/backups'],
      probe: CRONTABS_PATH,
    });
    const exp = await initech.providerAdmin.get(`/apis/apis.kcp.io/v1alpha2/apiexports/${initech.exportName}`);
    const claims = (exp['spec'] as { permissionClaims: { group: string; resource: string; identityHash?: string }[] })
      .permissionClaims;
    expect(claims.find((c) => c.group === 'initroid.example.com')).to.include({ resource: 'backups', identityHash });

    await operate(initech, backup, (ns) => `/apis/backups.example.com/v1/namespaces/${ns}/backups`);
    const got = await waitObject(
      initech.consumers[0]!.client,
      '/apis/initroid.example.com/v1/namespaces/default/backups/my-backup',
      "Initroid's Backup in the consumer workspace",
    );
    expect(got['spec']).to.deep.equal({ source: 'db', retention: 7 });
  });
});
