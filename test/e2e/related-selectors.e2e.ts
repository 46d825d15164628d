// Related resources found by what they carry rather than by a fixed name:
// a label selector (plain, with the workspace's logical cluster in it, or
// written as templates) and a reference into the primary that lists several
// objects, where pairs with an empty name on either side are skipped.
import { expect } from 'chai';
import {
  CERTIFICATES,
  CERTIFICATES_PATH,
  CRONTABS,
  CRONTABS_PATH,
  certificate,
  crontab,
  localCertificate,
  localCrontab,
  markCopy,
  plain,
  publishedResource,
  relatedAnnotations,
  secret,
  secretPath,
  tryGet,
  waitObject,
} from '../utils/related-checks.ts';
import { type Story, StoryStage } from '../utils/related-story.ts';

/** A related Secret found by labels on the service side, named `my-credentials` on both sides. */
const selected = (matchLabels: Record<string, string>): Record<string, unknown> => ({
  identifier: 'credentials',
  origin: 'service',
  kind: 'Secret',
  object: { selector: { matchLabels, rewrite: { template: { template: 'my-credentials' } } } },
});

/** Regex mutations on item names: one per index, as gjson paths. */
const renameItem = (index: number, pattern: string, replacement: string): Record<string, unknown> => ({
  regex: { path: `spec.items.${index}.name`, pattern, replacement },
});

describe('related resources: found by label selector or by a list in the primary', function () {
  const stage = new StoryStage('related-sel');

  /**
   * One consumer creates a CronTab; the operator writes a Secret with these
   * labels under an unrelated name next to the copy; returns what the
   * consumer then sees as `my-credentials`.
   */
  const selectorStory = async (
    id: string,
    matchLabels: Record<string, string>,
    labels: (cluster: string) => Record<string, string>,
  ): Promise<{ got: ReturnType<typeof plain>; labels: Record<string, string> | undefined }> => {
    const story = await stage.start({
      id,
      publishedResources: [
        publishedResource(`${id}-crontabs`, { resource: CRONTABS, related: [selected(matchLabels)] }),
      ],
      expectClaims: ['/secrets'],
      probe: CRONTABS_PATH,
    });
    const team = story.consumers[0]!;
    await team.client.create(CRONTABS_PATH, crontab('my-crontab'));
    const copyPath = localCrontab(team.ws.cluster, 'my-crontab');
    await waitObject(stage.local, copyPath, 'the copy of my-crontab');
    await stage.local.create(
      secretPath(team.ws.cluster),
      secret(team.ws.cluster, 'unknown-name', { password: 'hunter2' }, labels(team.ws.cluster)),
    );
    await markCopy(stage.local, copyPath);
    const obj = await waitObject(
      team.client,
      secretPath('default', 'my-credentials'),
      'the selected Secret in the consumer workspace as my-credentials',
    );
    return { got: plain(obj), labels: obj.metadata.labels };
  };

  it('the consumer gets the Secret the operator labelled for its copy, under the name the provider chose', async function () {
    const { got, labels } = await selectorStory('label', { find: 'me' }, () => ({ find: 'me' }));
    expect(got).to.deep.equal({ password: 'hunter2' });
    expect(labels).to.include({ find: 'me' });
  });

  it("a selector can name the consumer's logical cluster, so the operator can label per workspace", async function () {
    let expected = '';
    const { got, labels } = await selectorStory('cluster', { find: 'foo-{{ .ClusterName | len }}' }, (cluster) => {
      expected = `foo-${cluster.length}`;
      return { find: expected };
    });
    expect(got).to.deep.equal({ password: 'hunter2' });
    expect(labels).to.include({ find: expected });
  });

  it('selector keys and values can be templates; the whitespace around them is trimmed', async function () {
    const { got, labels } = await selectorStory(
      'templated',
      { '  {{ list "fi" "nd" | join "-" }} ': '\n{{ lower "ME" }}\n ' },
      () => ({ 'fi-nd': 'me' }),
    );
    expect(got).to.deep.equal({ password: 'hunter2' });
    expect(labels).to.include({ 'fi-nd': 'me' });
  });

  /** Certificates whose `spec.items[].name` lists Secrets; the copy's names are rewritten by mutations. */
  const listStory = async (
    id: string,
    mutations: Record<string, unknown>[],
    items: string[],
    written: string[],
  ): Promise<NonNullable<Story['consumers'][number]>> => {
    const story = await stage.start({
      id,
      publishedResources: [
        publishedResource(`${id}-certs`, {
          resource: CERTIFICATES,
          mutation: { spec: mutations },
          related: [
            {
              identifier: 'credentials',
              origin: 'service',
              kind: 'Secret',
              object: { reference: { path: 'spec.items.#.name' } },
            },
          ],
        }),
      ],
      expectClaims: ['/secrets'],
      probe: CERTIFICATES_PATH,
    });
    const team = story.consumers[0]!;
    await team.client.create(CERTIFICATES_PATH, certificate('my-backup', { items: items.map((name) => ({ name })) }));
    const copyPath = localCertificate(team.ws.cluster, 'my-backup');
    await waitObject(stage.local, copyPath, 'the copy of my-backup');
    for (const [i, name] of written.entries()) {
      await stage.local.create(
        secretPath(team.ws.cluster),
        secret(team.ws.cluster, name, { password: `hunter${i + 1}` }),
      );
    }
    await markCopy(stage.local, copyPath);
    return team;
  };

  it("every Secret a list in the object names arrives, each under the consumer's name for it", async function () {
    const prefix = [0, 1, 2].map((i) => renameItem(i, '^(.+)$', 'mutated-$1'));
    const team = await listStory(
      'list',
      prefix,
      ['secret-1', 'secret-2', 'secret-3'],
      ['mutated-secret-1', 'mutated-secret-2', 'mutated-secret-3'],
    );
    for (const i of [1, 2, 3]) {
      const got = await waitObject(
        team.client,
        secretPath('default', `secret-${i}`),
        `secret-${i} in the consumer workspace`,
      );
      expect(plain(got)).to.deep.equal({ password: `hunter${i}` });
    }
  });

  it('list entries that are empty on either side are skipped without an error', async function () {
    // kcp: [secret-1, "", secret-3]; the copy: [mutated-secret-1, "", ""].
    const mutations = [
      renameItem(0, '^(.+)$', 'mutated-$1'),
      renameItem(1, '^(.+)$', 'mutated-$1'),
      renameItem(2, '', ''),
    ];
    const team = await listStory(
      'list-empty',
      mutations,
      ['secret-1', '', 'secret-3'],
      ['mutated-secret-1', 'mutated-secret-2', 'mutated-secret-3'],
    );
    const got = await waitObject(team.client, secretPath('default', 'secret-1'), 'secret-1 in the consumer workspace');
    expect(plain(got)).to.deep.equal({ password: 'hunter1' });
    // The agent records every object it synced for the rule in the same pass; only one.
    const primary = await waitObject(
      team.client,
      `${CERTIFICATES_PATH}/my-backup`,
      'the related annotation',
      (o) => Object.keys(relatedAnnotations(o)).length > 0,
    );
    expect(Object.values(relatedAnnotations(primary))).to.deep.equal([
      { namespace: 'default', name: 'secret-1', apiVersion: 'v1', kind: 'Secret' },
    ]);
    expect(await tryGet(team.client, secretPath('default', 'secret-3'))).to.equal(undefined);
    expect(await tryGet(team.client, secretPath('default', 'secret-2'))).to.equal(undefined);
    const events = (await team.client.list('/api/v1/namespaces/default/events')).items.map((e) => e['reason']);
    expect(events).to.not.include('RelatedResourceInvalid');
  });
});
