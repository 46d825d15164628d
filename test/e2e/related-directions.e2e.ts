// Related resources, the two directions: a service operator writes a Secret
// next to the copy and the consumer gets it in its workspace; a consumer
// writes a Secret next to its object and the operator gets it next to the
// copy. Also into a namespace other than the primary's, and out of a
// namespace the provider names. Each story has its own agent, export and
// workspaces on a shared service cluster.
import { expect } from 'chai';
import type { KubeObject } from '../../src/kube/object.ts';
import {
  CRONTABS,
  CRONTABS_PATH,
  crontab,
  ensureNamespace,
  localCrontab,
  markCopy,
  plain,
  publishedResource,
  relatedAnnotations,
  secret,
  secretPath,
  waitObject,
} from '../utils/related-checks.ts';
import { type Story, StoryStage } from '../utils/related-story.ts';

const credentials = (origin: 'service' | 'kcp', namespace?: string): Record<string, unknown> => ({
  identifier: 'credentials',
  origin,
  kind: 'Secret',
  object: {
    template: { template: 'my-credentials' },
    ...(namespace === undefined ? {} : { namespace: { template: { template: namespace } } }),
  },
});

const withRelated = (name: string, related: Record<string, unknown>): KubeObject =>
  publishedResource(name, { resource: CRONTABS, related: [related] });

describe('related resources: up from the service cluster and down from kcp', function () {
  const stage = new StoryStage('related-dir');

  /** Publishes CronTabs with one related rule, binds one consumer, creates its CronTab and waits for the copy. */
  const setUp = async (
    id: string,
    related: Record<string, unknown>,
  ): Promise<{ team: Story['consumers'][number]; copyPath: string }> => {
    const story = await stage.start({
      id,
      publishedResources: [withRelated(`${id}-crontabs`, related)],
      expectClaims: ['/secrets'],
      probe: CRONTABS_PATH,
    });
    const team = story.consumers[0]!;
    await team.client.create(CRONTABS_PATH, crontab('my-crontab'));
    const copyPath = localCrontab(team.ws.cluster, 'my-crontab');
    await waitObject(stage.local, copyPath, 'the copy of my-crontab on the service cluster');
    return { team, copyPath };
  };

  it('the consumer sees the credentials Secret the operator wrote next to its copy, and its object records the copy as upstream does', async function () {
    const { team, copyPath } = await setUp('up', credentials('service'));
    await stage.local.create(
      secretPath(team.ws.cluster),
      secret(team.ws.cluster, 'my-credentials', { password: 'hunter2' }),
    );
    await markCopy(stage.local, copyPath);

    const got = await waitObject(
      team.client,
      secretPath('default', 'my-credentials'),
      'the credentials Secret in the consumer workspace',
    );
    expect(plain(got)).to.deep.equal({ password: 'hunter2' });
    expect(got['type']).to.equal('Opaque');
    expect(
      Object.keys(got.metadata.labels ?? {}).filter((k) => k.startsWith('syncagent.kcp.io/')),
      'sync labels on the related copy',
    ).to.deep.equal([]);
    const primary = await waitObject(
      team.client,
      `${CRONTABS_PATH}/my-crontab`,
      'the related-resources annotation on the CronTab',
      (o) => relatedAnnotations(o)['credentials.0'] !== undefined,
    );
    expect(relatedAnnotations(primary)).to.deep.equal({
      // As upstream: where the copy is in kcp, and the origin's type.
      'credentials.0': { namespace: 'default', name: 'my-credentials', apiVersion: 'v1', kind: 'Secret' },
    });
  });

  it("the operator finds the Secret the consumer wrote next to its object in the copy's namespace", async function () {
    const story = await stage.start({
      id: 'down',
      publishedResources: [withRelated('down-crontabs', credentials('kcp'))],
      expectClaims: ['/secrets'],
      probe: CRONTABS_PATH,
    });
    const team = story.consumers[0]!;
    await team.client.create(secretPath('default'), secret('default', 'my-credentials', { password: 'hunter2' }));
    await team.client.create(CRONTABS_PATH, crontab('my-crontab'));

    const got = await waitObject(
      stage.local,
      secretPath(team.ws.cluster, 'my-credentials'),
      "the consumer's Secret next to the copy",
    );
    expect(plain(got)).to.deep.equal({ password: 'hunter2' });
    expect(got['type']).to.equal('Opaque');
  });

  it("the operator's Secret arrives in a namespace of the consumer's workspace that did not exist yet", async function () {
    const into = credentials(
      'service',
      '{{ if eq .Side "kcp" }}new-namespace{{ else }}{{ .Object.metadata.namespace }}{{ end }}',
    );
    const { team, copyPath } = await setUp('up-ns', into);
    await stage.local.create(
      secretPath(team.ws.cluster),
      secret(team.ws.cluster, 'my-credentials', { password: 'hunter2' }),
    );
    await markCopy(stage.local, copyPath);

    const got = await waitObject(
      team.client,
      secretPath('new-namespace', 'my-credentials'),
      'the Secret in the new namespace of the consumer workspace',
    );
    expect(plain(got)).to.deep.equal({ password: 'hunter2' });
    expect(await team.client.get('/api/v1/namespaces/new-namespace')).to.have.nested.property(
      'metadata.name',
      'new-namespace',
    );
  });

  it("the consumer's Secret arrives in the service-side namespace the provider names, created for it", async function () {
    const into = credentials(
      'kcp',
      '{{ if eq .Side "kcp" }}{{ .Object.metadata.namespace }}{{ else }}new-namespace{{ end }}',
    );
    const story = await stage.start({
      id: 'down-ns',
      publishedResources: [withRelated('down-ns-crontabs', into)],
      expectClaims: ['/secrets'],
      probe: CRONTABS_PATH,
    });
    const team = story.consumers[0]!;
    await team.client.create(secretPath('default'), secret('default', 'my-credentials', { password: 'hunter2' }));
    await team.client.create(CRONTABS_PATH, crontab('my-crontab'));

    const got = await waitObject(
      stage.local,
      secretPath('new-namespace', 'my-credentials'),
      "the consumer's Secret in new-namespace on the service cluster",
    );
    expect(plain(got)).to.deep.equal({ password: 'hunter2' });
  });

  it('the consumer gets a Secret the operator keeps in a namespace of its own, when the provider points there', async function () {
    const from = credentials(
      'service',
      '{{ if eq .Side "kcp" }}{{ .Object.metadata.namespace }}{{ else }}other-namespace{{ end }}',
    );
    const { team, copyPath } = await setUp('foreign-ns', from);
    await ensureNamespace(stage.local, 'other-namespace');
    await stage.local.create(
      secretPath('other-namespace'),
      secret('other-namespace', 'my-credentials', { password: 'hunter2' }),
    );
    await markCopy(stage.local, copyPath);

    const got = await waitObject(
      team.client,
      secretPath('default', 'my-credentials'),
      'the Secret from other-namespace in the consumer workspace',
    );
    expect(plain(got)).to.deep.equal({ password: 'hunter2' });
  });
  it('with watch byOwner, a new password the operator writes reaches the consumer at once', async function () {
    const { team, copyPath } = await setUp('owner', { ...credentials('service'), watch: { byOwner: {} } });
    const copy = await stage.local.get(copyPath);
    const owner = {
      apiVersion: 'example.com/v1',
      kind: 'CronTab',
      name: copy.metadata.name ?? '',
      uid: copy.metadata.uid ?? '',
    };
    await stage.local.create(secretPath(team.ws.cluster), {
      ...secret(team.ws.cluster, 'my-credentials', { password: 'hunter2' }),
      metadata: { name: 'my-credentials', namespace: team.ws.cluster, ownerReferences: [owner] },
    });
    await waitObject(
      team.client,
      secretPath('default', 'my-credentials'),
      'the first password in the consumer workspace',
    );

    // In sync, the agent would look again only minutes later; the watch makes it now.
    const current = await stage.local.get(secretPath(team.ws.cluster, 'my-credentials'));
    await stage.local.replace(secretPath(team.ws.cluster, 'my-credentials'), {
      ...current,
      data: { password: Buffer.from('rotated').toString('base64') },
    });
    await waitObject(
      team.client,
      secretPath('default', 'my-credentials'),
      'the rotated password',
      (o) => plain(o)?.['password'] === 'rotated',
    );
  });

  it("the provider's mutation rules reshape the Secret on its way to the consumer", async function () {
    const mutated = {
      ...credentials('service'),
      mutation: {
        spec: [
          { delete: { path: 'data.internal' } },
          { regex: { path: 'metadata.labels.tier', pattern: '^internal$', replacement: 'public' } },
        ],
      },
    };
    const { team, copyPath } = await setUp('mutation', mutated);
    await stage.local.create(
      secretPath(team.ws.cluster),
      secret(
        team.ws.cluster,
        'my-credentials',
        { password: 'hunter2', internal: 'operator-only' },
        { tier: 'internal' },
      ),
    );
    await markCopy(stage.local, copyPath);

    const got = await waitObject(
      team.client,
      secretPath('default', 'my-credentials'),
      'the mutated Secret in the consumer workspace',
    );
    expect(plain(got)).to.deep.equal({ password: 'hunter2' });
    expect(got.metadata.labels).to.include({ tier: 'public' });
  });
});
