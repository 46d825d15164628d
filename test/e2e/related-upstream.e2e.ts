// Measured, not wished: upstream's agent (v0.7.0) on the cert-manager setup
// of its own documentation (every copy in one service namespace, the TLS
// Secret found by the Certificate's `spec.secretName`). A second workspace
// that names the same secretName receives the first workspace's Secret, key
// included. related-isolation.e2e.ts runs the same story against ours, which
// refuses it (docs/compatibility.md, "Related objects chosen by values a
// consumer controls"). And a takeover: what upstream synced, ours carries on
// with, without a second copy of anything.
import { expect } from 'chai';
import {
  CERTIFICATES,
  CERTIFICATES_PATH,
  CRONTABS,
  CRONTABS_PATH,
  certificate,
  configMap,
  configMapPath,
  crontab,
  ensureNamespace,
  localCrontab,
  markCopy,
  pathOf,
  plain,
  publishedResource,
  relatedAnnotations,
  secret,
  secretPath,
  waitCopyOf,
  waitGone,
  waitObject,
} from '../utils/related-checks.ts';
import { type StoryOptions, StoryStage } from '../utils/related-story.ts';
import { cleanupFinalizerFor } from '../../src/translate/cleanup-finalizer.ts';

const SHARED = 'shared-certs';
const naming = {
  namespace: SHARED,
  name: '{{ .ClusterName }}-{{ .Object.metadata.namespace | sha3short }}-{{ .Object.metadata.name | sha3short }}',
};
const copies = `/apis/certs.example.com/v1/namespaces/${SHARED}/certificates`;

describe('related objects with upstream v0.7.0: measured, and taken over', function () {
  const stage = new StoryStage('related-upstream');
  before(async function () {
    await ensureNamespace(stage.local, SHARED);
  });

  it("hands tenant A's TLS key to tenant B when B names the same secretName", async function () {
    const story = await stage.start({
      id: 'upstream-certmgr',
      agent: 'upstream',
      publishedResources: [
        publishedResource('upstream-certmgr-certs', {
          resource: CERTIFICATES,
          naming,
          related: [
            {
              identifier: 'tls-secret',
              origin: 'service',
              group: '',
              version: 'v1',
              resource: 'secrets',
              object: { reference: { path: 'spec.secretName' } },
            },
          ],
        }),
      ],
      consumers: 2,
      expectClaims: ['/secrets'],
      probe: CERTIFICATES_PATH,
    });
    const [a, b] = [story.consumers[0]!, story.consumers[1]!];
    await a.client.create(
      CERTIFICATES_PATH,
      certificate('web', { secretName: 'web-tls', dnsNames: ['a.example.com'] }),
    );
    const copyA = await waitCopyOf(stage.local, copies, a.ws.cluster, 'web');
    await stage.local.create(secretPath(SHARED), secret(SHARED, 'web-tls', { 'tls.key': 'A-PRIVATE-KEY' }));
    await markCopy(stage.local, pathOf(copies, copyA));
    await waitObject(a.client, secretPath('default', 'web-tls'), "A's TLS Secret in A's workspace");

    await b.client.create(
      CERTIFICATES_PATH,
      certificate('web', { secretName: 'web-tls', dnsNames: ['b.example.com'] }),
    );
    await markCopy(stage.local, pathOf(copies, await waitCopyOf(stage.local, copies, b.ws.cluster, 'web')));
    const leaked = await waitObject(b.client, secretPath('default', 'web-tls'), "A's TLS Secret in B's workspace");
    expect(plain(leaked)).to.deep.equal({ 'tls.key': 'A-PRIVATE-KEY' });
  });
  it("ours takes over what upstream synced: the same related copies, one of each, and deletion releases upstream's finalizer", async function () {
    const opts: StoryOptions = {
      id: 'takeover',
      agent: 'upstream',
      expectClaims: ['/secrets', '/configmaps'],
      probe: CRONTABS_PATH,
      publishedResources: [
        publishedResource('takeover-crontabs', {
          resource: CRONTABS,
          related: [
            {
              identifier: 'credentials',
              origin: 'service',
              kind: 'Secret',
              object: { template: { template: 'my-credentials' } },
            },
            {
              identifier: 'settings',
              origin: 'kcp',
              kind: 'ConfigMap',
              object: { template: { template: '{{ .Object.metadata.name }}-settings' } },
            },
          ],
        }),
      ],
    };
    const story = await stage.start(opts);
    const team = story.consumers[0]!;
    const ns = team.ws.cluster;
    await team.client.create(configMapPath('default'), configMap('default', 'my-crontab-settings', { level: 'info' }));
    await team.client.create(CRONTABS_PATH, crontab('my-crontab'));
    await waitObject(stage.local, localCrontab(ns, 'my-crontab'), "upstream's copy");
    await stage.local.create(secretPath(ns), secret(ns, 'my-credentials', { password: 'hunter2' }));
    await markCopy(stage.local, localCrontab(ns, 'my-crontab'));
    await waitObject(team.client, secretPath('default', 'my-credentials'), 'the Secret upstream brought up');
    await waitObject(stage.local, configMapPath(ns, 'my-crontab-settings'), 'the ConfigMap upstream sent down');
    const recordedByUpstream = relatedAnnotations(
      await waitObject(
        team.client,
        `${CRONTABS_PATH}/my-crontab`,
        "upstream's record",
        (o) => Object.keys(relatedAnnotations(o)).length > 0,
      ),
    );

    await stage.takeOver(story, opts);
    const current = await stage.local.get(secretPath(ns, 'my-credentials'));
    await stage.local.replace(secretPath(ns, 'my-credentials'), {
      ...current,
      data: { password: Buffer.from('rotated').toString('base64') },
    });
    const settings = await team.client.get(configMapPath('default', 'my-crontab-settings'));
    await team.client.replace(configMapPath('default', 'my-crontab-settings'), {
      ...settings,
      data: { level: 'debug' },
    });
    await markCopy(stage.local, localCrontab(ns, 'my-crontab'), 'Rotated');
    await waitObject(
      team.client,
      secretPath('default', 'my-credentials'),
      'the rotated password, brought up by ours',
      (o) => plain(o)?.['password'] === 'rotated',
    );
    await waitObject(
      stage.local,
      configMapPath(ns, 'my-crontab-settings'),
      'the edited settings, sent down by ours',
      (o) => (o['data'] as { level?: string }).level === 'debug',
    );

    expect(relatedAnnotations(await team.client.get(`${CRONTABS_PATH}/my-crontab`))).to.deep.equal(recordedByUpstream);
    expect(
      (await stage.local.list(`/apis/example.com/v1/namespaces/${ns}/crontabs`)).items.map((o) => o.metadata.name),
    ).to.deep.equal(['my-crontab']);
    expect(
      (await stage.local.list(configMapPath(ns))).items
        .map((o) => o.metadata.name)
        .filter((n) => n?.endsWith('-settings')),
    ).to.deep.equal(['my-crontab-settings']);
    // Upstream's shared finalizer stays until the object is released; ours is added next to it.
    expect(
      (await team.client.get(configMapPath('default', 'my-crontab-settings'))).metadata.finalizers,
    ).to.have.members(['syncagent.kcp.io/cleanup', cleanupFinalizerFor(story.agentName)]);

    await team.client.delete(`${CRONTABS_PATH}/my-crontab`);
    await waitGone(team.client, `${CRONTABS_PATH}/my-crontab`, 'the CronTab to be deleted');
    await waitGone(stage.local, configMapPath(ns, 'my-crontab-settings'), 'the ConfigMap copy to go with it');
    expect(
      (await team.client.get(configMapPath('default', 'my-crontab-settings'))).metadata.finalizers ?? [],
    ).to.deep.equal([]);
  });
});
