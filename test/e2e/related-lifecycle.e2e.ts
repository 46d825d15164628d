// What happens to related objects when the consumer deletes its object: the
// copies of objects the consumer wrote go with it; the copies of objects the
// operator wrote stay unless the provider asks for `cleanup`; no finalizer
// is left behind on anything.
import { expect } from 'chai';
import type { RestClient } from '../../src/kube/rest-client.ts';
import {
  CRONTABS,
  CRONTABS_PATH,
  crontab,
  localCrontab,
  markCopy,
  publishedResource,
  secret,
  secretPath,
  tryGet,
  waitGone,
  waitObject,
} from '../utils/related-checks.ts';
import { type Story, StoryStage } from '../utils/related-story.ts';

const WATCHED = { 'syncagent-e2e': 'find-me' };

const credentials = (origin: 'service' | 'kcp', extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  identifier: 'credentials',
  origin,
  kind: 'Secret',
  object: { template: { template: 'my-credentials' } },
  ...extra,
});

describe('related resources when the consumer deletes its object', function () {
  const stage = new StoryStage('related-life');

  /** Deletes the consumer's CronTab and waits until kcp has removed it (no finalizer holds it). */
  const deleteCronTab = async (client: RestClient): Promise<void> => {
    await client.delete(`${CRONTABS_PATH}/my-crontab`);
    await waitGone(client, `${CRONTABS_PATH}/my-crontab`, 'the CronTab to be gone from kcp');
  };

  it("deleting the object removes the copy of the consumer's Secret and leaves the Secret itself free of finalizers", async function () {
    const story = await stage.start({
      id: 'del-kcp',
      publishedResources: [
        publishedResource('del-kcp-crontabs', { resource: CRONTABS, related: [credentials('kcp')] }),
      ],
      expectClaims: ['/secrets'],
      probe: CRONTABS_PATH,
    });
    const team = story.consumers[0]!;
    await team.client.create(secretPath('default'), secret('default', 'my-credentials', { password: 'hunter2' }));
    await team.client.create(CRONTABS_PATH, crontab('my-crontab'));
    await waitObject(stage.local, secretPath(team.ws.cluster, 'my-credentials'), 'the Secret next to the copy');

    await deleteCronTab(team.client);
    expect(await tryGet(stage.local, localCrontab(team.ws.cluster, 'my-crontab')), 'the copy').to.equal(undefined);
    expect(await tryGet(stage.local, secretPath(team.ws.cluster, 'my-credentials')), 'the copy of the Secret').to.equal(
      undefined,
    );
    const own = await team.client.get(secretPath('default', 'my-credentials'));
    expect(
      (own.metadata.finalizers ?? []).filter((f) => f.startsWith('syncagent.kcp.io/cleanup')),
      "the agent's finalizers on the consumer's Secret",
    ).to.deep.equal([]);
  });

  /** The operator's Secret reaches the consumer, then the consumer deletes its CronTab. */
  const upThenDelete = async (id: string, cleanup: boolean): Promise<Story['consumers'][number]> => {
    const story = await stage.start({
      id,
      publishedResources: [
        publishedResource(`${id}-crontabs`, {
          resource: CRONTABS,
          related: [credentials('service', { cleanup, watch: { bySelector: { matchLabels: WATCHED } } })],
        }),
      ],
      expectClaims: ['/secrets'],
      probe: CRONTABS_PATH,
    });
    const team = story.consumers[0]!;
    await team.client.create(CRONTABS_PATH, {
      ...crontab('my-crontab'),
      metadata: { name: 'my-crontab', namespace: 'default', labels: WATCHED },
    });
    const copyPath = localCrontab(team.ws.cluster, 'my-crontab');
    await waitObject(stage.local, copyPath, 'the copy of my-crontab');
    await stage.local.create(
      secretPath(team.ws.cluster),
      secret(team.ws.cluster, 'my-credentials', { password: 'hunter2' }),
    );
    await markCopy(stage.local, copyPath);
    await waitObject(
      team.client,
      secretPath('default', 'my-credentials'),
      "the operator's Secret in the consumer workspace",
    );
    await deleteCronTab(team.client);
    return team;
  };

  it("without cleanup the operator's Secret stays on both sides after the object is deleted", async function () {
    const team = await upThenDelete('keep', false);
    expect(await tryGet(team.client, secretPath('default', 'my-credentials')), 'the Secret in kcp').to.not.equal(
      undefined,
    );
    expect(
      await tryGet(stage.local, secretPath(team.ws.cluster, 'my-credentials')),
      'the Secret on the service cluster',
    ).to.not.equal(undefined);
  });

  it("with cleanup the consumer's copy of the operator's Secret goes with the object; the operator's stays", async function () {
    const team = await upThenDelete('cleanup', true);
    expect(await tryGet(team.client, secretPath('default', 'my-credentials')), 'the Secret in kcp').to.equal(undefined);
    expect(
      await tryGet(stage.local, secretPath(team.ws.cluster, 'my-credentials')),
      'the Secret on the service cluster',
    ).to.not.equal(undefined);
  });
});
