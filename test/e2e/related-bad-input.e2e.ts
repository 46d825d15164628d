// Related rules that cannot be carried out for one object: a path the object
// does not have (yet), a template that fails, a selector aimed at a namespace
// the consumer does not own, a type kcp does not serve, a claim the consumer
// rejected. The consumer learns which rule from an event and a condition on
// its object; its other objects, and its other rules, keep syncing.
import { expect } from 'chai';
import type { KubeObject } from '../../src/kube/object.ts';
import {
  CERTIFICATES,
  CERTIFICATES_PATH,
  CRONTABS,
  CRONTABS_PATH,
  certificate,
  crontab,
  ensureNamespace,
  eventsOn,
  localCertificate,
  localCrontab,
  markCopy,
  plain,
  publishedResource,
  secret,
  secretPath,
  tryGet,
  waitEvent,
  waitObject,
  waitRelatedCondition,
} from '../utils/related-checks.ts';
import { type Consumer, StoryStage, type StoryOptions } from '../utils/related-story.ts';

const credentials = (object: Record<string, unknown>): Record<string, unknown> => ({
  identifier: 'credentials',
  origin: 'service',
  kind: 'Secret',
  object,
});

describe('related resources: bad input for one object', function () {
  const stage = new StoryStage('related-bad');

  const certificatesWith = async (
    id: string,
    related: Record<string, unknown>[],
    opts: Partial<StoryOptions> = {},
  ): Promise<Consumer> => {
    const story = await stage.start({
      id,
      publishedResources: [publishedResource(`${id}-certs`, { resource: CERTIFICATES, related })],
      expectClaims: ['/secrets'],
      probe: CERTIFICATES_PATH,
      ...opts,
    });
    return story.consumers[0]!;
  };

  /** Creates a Certificate and waits for its copy; the operator writes `secrets` next to it and marks it Ready. */
  const issue = async (team: Consumer, obj: KubeObject, secrets: KubeObject[] = []): Promise<void> => {
    await team.client.create(CERTIFICATES_PATH, obj);
    const copyPath = localCertificate(team.ws.cluster, obj.metadata.name ?? '');
    await waitObject(stage.local, copyPath, `the copy of ${obj.metadata.name ?? ''}`);
    for (const s of secrets) await stage.local.create(secretPath(s.metadata.namespace ?? ''), s);
    await markCopy(stage.local, copyPath);
  };

  /** The consumer sees the operator's Ready on an object: its primary sync goes on. */
  const waitReady = (team: Consumer, name: string): Promise<KubeObject> =>
    waitObject(
      team.client,
      `${CERTIFICATES_PATH}/${name}`,
      `Ready on ${name}`,
      (o) => (o['status'] as { phase?: string } | undefined)?.phase === 'Ready',
    );

  const warnings = async (team: Consumer, name: string): Promise<string[]> =>
    (await eventsOn(team.client, 'default', name)).filter((e) => e.type === 'Warning').map((e) => e.reason);

  it('a reference to a field the object does not have yet is no error; the Secret comes once the field is set', async function () {
    const team = await certificatesWith('no-path', [credentials({ reference: { path: 'spec.secretName' } })]);
    const ns = team.ws.cluster;
    await issue(team, certificate('unnamed', {}));
    await issue(team, certificate('named', { secretName: 'named-tls' }), [secret(ns, 'named-tls', { key: 'named' })]);
    await waitObject(team.client, secretPath('default', 'named-tls'), "the named Certificate's Secret");
    await waitReady(team, 'unnamed');
    expect(await warnings(team, 'unnamed'), 'warnings on the Certificate without secretName').to.deep.equal([]);

    await stage.local.create(secretPath(ns), secret(ns, 'later-tls', { key: 'later' }));
    const current = await team.client.get(`${CERTIFICATES_PATH}/unnamed`);
    await team.client.replace(`${CERTIFICATES_PATH}/unnamed`, { ...current, spec: { secretName: 'later-tls' } });
    const got = await waitObject(team.client, secretPath('default', 'later-tls'), 'the Secret once secretName is set');
    expect(plain(got)).to.deep.equal({ key: 'later' });
  });

  it('a template that fails for one object names the rule on that object; the next object gets its Secret', async function () {
    const template =
      '{{ if .Object.spec.secretName }}{{ .Object.spec.secretName }}{{ else }}{{ fail "spec.secretName is required" }}{{ end }}';
    const team = await certificatesWith('bad-tpl', [credentials({ template: { template } })]);
    await issue(team, certificate('broken', {}));
    const event = await waitEvent(team.client, 'default', 'broken', 'RelatedResourceInvalid');
    expect(event.message).to.include('spec.related[0] (credentials)');
    await waitRelatedCondition(team.client, `${CERTIFICATES_PATH}/broken`, 'False', 'RelatedResourceInvalid');
    await waitReady(team, 'broken');

    await issue(team, certificate('working', { secretName: 'working-tls' }), [
      secret(team.ws.cluster, 'working-tls', { key: 'ok' }),
    ]);
    await waitObject(team.client, secretPath('default', 'working-tls'), "the working Certificate's Secret");
    await waitRelatedCondition(team.client, `${CERTIFICATES_PATH}/working`, 'True');
  });

  it('a selector aimed by the consumer at a namespace it does not own is refused, naming the rule; the next object syncs', async function () {
    await ensureNamespace(stage.local, 'provider-private');
    await stage.local.create(
      secretPath('provider-private'),
      secret('provider-private', 'db-root', { password: 'ROOT' }, { app: 'db' }),
    );
    const team = await certificatesWith('sel-ns', [
      credentials({
        selector: { matchLabels: { app: 'db' }, rewrite: { template: { template: '{{ .Value }}' } } },
        namespace: { reference: { path: 'spec.secretNamespace' } },
      }),
    ]);
    await issue(team, certificate('sneaky', { secretNamespace: 'provider-private' }));
    const event = await waitEvent(team.client, 'default', 'sneaky', 'RelatedResourceRefused');
    expect(event.message).to.include('spec.related[0] (credentials)');
    expect(event.message).to.not.include('provider-private');
    await waitRelatedCondition(team.client, `${CERTIFICATES_PATH}/sneaky`, 'False', 'RelatedResourceRefused');
    expect(await tryGet(team.client, secretPath('provider-private', 'db-root'))).to.equal(undefined);

    await issue(team, certificate('honest', {}));
    await waitReady(team, 'honest');
    expect(await warnings(team, 'honest')).to.deep.equal([]);
  });

  it('a related type kcp does not serve is named on the object, while its other related rule still brings the Secret', async function () {
    const unserved = {
      identifier: 'widgets',
      origin: 'kcp',
      group: 'nothere.example.com',
      version: 'v1',
      resource: 'widgets',
      object: { template: { template: 'my-widget' } },
    };
    const team = await certificatesWith('unserved', [
      unserved,
      credentials({ template: { template: 'my-credentials' } }),
    ]);
    await issue(team, certificate('web', {}), [secret(team.ws.cluster, 'my-credentials', { password: 'hunter2' })]);
    const got = await waitObject(team.client, secretPath('default', 'my-credentials'), 'the Secret of the other rule');
    expect(plain(got)).to.deep.equal({ password: 'hunter2' });
    const event = await waitEvent(team.client, 'default', 'web', 'RelatedResourceInvalid');
    expect(event.message).to.include('spec.related[0] (widgets)');
    await waitRelatedCondition(team.client, `${CERTIFICATES_PATH}/web`, 'False', 'RelatedResourceInvalid');
  });

  it('a consumer that rejected the Secrets claim is told so on its object, and its object still syncs', async function () {
    const story = await stage.start({
      id: 'rejected',
      publishedResources: [
        publishedResource('rejected-crontabs', {
          resource: CRONTABS,
          related: [credentials({ template: { template: 'my-credentials' } })],
        }),
      ],
      expectClaims: ['/secrets'],
      probe: CRONTABS_PATH,
      decideClaims: (c) => (c.resource === 'secrets' ? 'Rejected' : 'Accepted'),
    });
    const team = story.consumers[0]!;
    await team.client.create(CRONTABS_PATH, crontab('my-crontab'));
    const copyPath = localCrontab(team.ws.cluster, 'my-crontab');
    await waitObject(stage.local, copyPath, 'the copy of my-crontab');
    await stage.local.create(
      secretPath(team.ws.cluster),
      secret(team.ws.cluster, 'my-credentials', { password: 'hunter2' }),
    );
    await markCopy(stage.local, copyPath);

    const event = await waitEvent(team.client, 'default', 'my-crontab', 'PermissionClaimNotAccepted');
    expect(event.message).to.include('spec.related[0] (credentials)');
    await waitRelatedCondition(team.client, `${CRONTABS_PATH}/my-crontab`, 'False', 'PermissionClaimNotAccepted');
    await waitObject(
      team.client,
      `${CRONTABS_PATH}/my-crontab`,
      'Ready on my-crontab',
      (o) => (o['status'] as { phase?: string } | undefined)?.phase === 'Ready',
    );
    expect(await tryGet(team.client, secretPath('default', 'my-credentials'))).to.equal(undefined);
    const warningsSeen = (await eventsOn(team.client, 'default', 'my-crontab')).filter(
      (e) => e.reason === 'PermissionClaimNotAccepted',
    );
    expect(warningsSeen.length, 'one event, not a retry storm').to.be.at.most(3);
  });
});
