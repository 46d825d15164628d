// The status of related objects: with `syncStatus` it follows the object from
// its origin to its copy (kcp to service, or service to kcp, never back); by
// default the copy carries no status at all.
import { expect } from 'chai';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import {
  BACKUPS,
  CRONTABS,
  CRONTABS_PATH,
  crontab,
  localCrontab,
  markCopy,
  publishedResource,
  waitObject,
} from '../utils/related-checks.ts';
import { StoryStage } from '../utils/related-story.ts';
import { waitFor } from '../utils/wait.ts';
import { writeStatus } from '../utils/write-status.ts';

const KCP_GROUP = 'backups.kcp.example.com';
const kcpBackups = `/apis/${KCP_GROUP}/v1/namespaces/default/backups`;
const localBackups = (ns: string): string => `/apis/backups.example.com/v1/namespaces/${ns}/backups`;

const backupsOnly = publishedResource('status-backups', {
  resource: BACKUPS,
  projection: { group: KCP_GROUP },
  synchronization: { enabled: false },
});

/** The related Backup rule, from either side; the other side's group is projected. */
function subnet(origin: 'kcp' | 'service', extra: Record<string, unknown>): KubeObject {
  const [group, projected] = origin === 'kcp' ? [KCP_GROUP, 'backups.example.com'] : ['backups.example.com', KCP_GROUP];
  return publishedResource(`status-crontabs-${origin}`, {
    resource: CRONTABS,
    related: [
      {
        identifier: 'subnet',
        origin,
        group,
        version: 'v1',
        resource: 'backups',
        projection: { group: projected },
        object: { template: { template: 'my-subnet' } },
        ...extra,
      },
    ],
  });
}

const backup = (group: string, namespace: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: `${group}/v1`,
  kind: 'Backup',
  metadata: { name: 'my-subnet', namespace },
  spec,
});

/** Creates an object, then writes its status through the status subresource. */
async function createWithStatus(
  client: RestClient,
  collection: string,
  obj: KubeObject,
  status: Record<string, unknown>,
): Promise<void> {
  const created = await client.create(collection, obj);
  await client.replace(`${collection}/${obj.metadata.name ?? ''}/status`, { ...created, status });
}

const statusId = (o: KubeObject): string | undefined => (o['status'] as { id?: string } | undefined)?.id;

describe('related resources: status', function () {
  const stage = new StoryStage('related-status');

  it("the status a consumer-side controller writes on its Backup reaches the operator's copy, and never comes back", async function () {
    const story = await stage.start({
      id: 'from-kcp',
      publishedResources: [backupsOnly, subnet('kcp', { syncStatus: true })],
      probe: kcpBackups,
    });
    const team = story.consumers[0]!;
    await createWithStatus(team.client, kcpBackups, backup(KCP_GROUP, 'default', { source: 'vpc-1' }), {
      id: 'subnet-kcp-12345',
    });
    await team.client.create(CRONTABS_PATH, crontab('my-crontab'));

    await waitObject(
      stage.local,
      `${localBackups(team.ws.cluster)}/my-subnet`,
      "the Backup copy with the consumer's status",
      (o) => statusId(o) === 'subnet-kcp-12345',
    );
    await writeStatus(stage.local, `${localBackups(team.ws.cluster)}/my-subnet`, () => ({
      id: 'subnet-local-override',
    }));
    // A later change the agent must carry down shows it has looked again.
    const current = await team.client.get(`${kcpBackups}/my-subnet`);
    await team.client.replace(`${kcpBackups}/my-subnet`, { ...current, spec: { source: 'vpc-1', retention: 9 } });
    await markCopy(stage.local, localCrontab(team.ws.cluster, 'my-crontab'));
    await waitObject(
      stage.local,
      `${localBackups(team.ws.cluster)}/my-subnet`,
      'the spec edit on the copy',
      (o) => (o['spec'] as { retention?: number }).retention === 9,
    );
    expect(statusId(await team.client.get(`${kcpBackups}/my-subnet`))).to.equal('subnet-kcp-12345');
  });

  it("the status the operator writes on a Backup reaches the consumer's copy at once (watched by selector)", async function () {
    const story = await stage.start({
      id: 'from-svc',
      publishedResources: [backupsOnly, subnet('service', { syncStatus: true, watch: { bySelector: {} } })],
      probe: CRONTABS_PATH,
    });
    const team = story.consumers[0]!;
    await team.client.create(CRONTABS_PATH, crontab('my-crontab'));
    await waitObject(stage.local, localCrontab(team.ws.cluster, 'my-crontab'), 'the copy of my-crontab');
    await createWithStatus(
      stage.local,
      localBackups(team.ws.cluster),
      backup('backups.example.com', team.ws.cluster, { source: 'vpc-2' }),
      { id: 'subnet-svc-99999' },
    );

    const got = await waitObject(
      team.client,
      `${kcpBackups}/my-subnet`,
      "the Backup in kcp with the operator's status",
      (o) => statusId(o) === 'subnet-svc-99999',
    );
    expect(got['spec']).to.deep.equal({ source: 'vpc-2' });
  });

  it("without syncStatus the consumer's copy of the Backup follows the spec but carries no status", async function () {
    const story = await stage.start({
      id: 'no-status',
      publishedResources: [backupsOnly, subnet('service', { watch: { bySelector: {} } })],
      probe: CRONTABS_PATH,
    });
    const team = story.consumers[0]!;
    await team.client.create(CRONTABS_PATH, crontab('my-crontab'));
    await waitObject(stage.local, localCrontab(team.ws.cluster, 'my-crontab'), 'the copy of my-crontab');
    const path = `${localBackups(team.ws.cluster)}/my-subnet`;
    await createWithStatus(
      stage.local,
      localBackups(team.ws.cluster),
      backup('backups.example.com', team.ws.cluster, { source: 'vpc-3' }),
      { id: 'subnet-svc-1' },
    );
    await waitObject(team.client, `${kcpBackups}/my-subnet`, 'the Backup in kcp');

    const current = await stage.local.get(path);
    await stage.local.replace(path, { ...current, spec: { source: 'vpc-3', retention: 3 } });
    const got = await waitFor('the spec edit in kcp', async () => {
      const o = await team.client.get(`${kcpBackups}/my-subnet`);
      return (o['spec'] as { retention?: number }).retention === 3 ? o : undefined;
    });
    expect(got['status']).to.equal(undefined);
  });
});
