// The product's main story: a provider applies a PublishedResource, the agent
// publishes the API into kcp, consumers bind it and create objects, the copies
// land on the service cluster, an operator marks them Ready, and consumers see
// Ready in their own workspace.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { isNotFound } from '../../src/kube/errors.ts';
import { type RunningAgent, startAgent, waitAgentReady } from '../utils/agent.ts';
import {
  type Workspace,
  applyObject,
  bindExport,
  conditionTrue,
  createWorkspace,
  grantAgentAccess,
  uniqueName,
} from '../utils/kcp-fixtures.ts';
import { installCrd, readCrd } from '../utils/service-fixtures.ts';
import { type ServiceCluster, startServiceCluster } from '../utils/service-cluster.ts';
import { suite } from '../utils/suite.ts';
import { REPO_ROOT } from '../utils/tools.ts';
import { waitFor } from '../utils/wait.ts';
import { writeStatus } from '../utils/write-status.ts';

const EXPORT = 'crontabs.example.com';
const AGENT = 'e2e-agent';
const PR_PATH = '/apis/syncagent.kcp.io/v1alpha1/publishedresources';
const fixture = (p: string): string => join(REPO_ROOT, p);

const crontab = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'CronTab',
  metadata: { name, namespace: 'default' },
  spec,
});

describe('a consumer object synced through the agent', function () {
  let service: ServiceCluster;
  let local: RestClient;
  let provider: Workspace;
  let teamA: Workspace;
  let teamB: Workspace;
  let consumerA: RestClient;
  let consumerB: RestClient;
  let agent: RunningAgent;

  const copiesOf = async (ws: Workspace): Promise<KubeObject[]> =>
    (await local.list(`/apis/example.com/v1/namespaces/${ws.cluster}/crontabs`).catch(() => ({ items: [] }))).items;
  const copyOf = async (ws: Workspace, name: string): Promise<KubeObject | undefined> =>
    (await copiesOf(ws)).find((o) => o.metadata.annotations?.['syncagent.kcp.io/remote-object-name'] === name);
  const crontabsOfA = `/apis/example.com/v1/namespaces/default/crontabs`;
  /** Creates a CronTab in team A's default namespace and waits for its copy. */
  const createInA = async (name: string, spec: Record<string, unknown>): Promise<KubeObject> => {
    await consumerA.create(crontabsOfA, crontab(name, spec));
    return waitFor(`the copy of ${name}`, () => copyOf(teamA, name), { intervalMs: 20 });
  };
  const localPath = (copy: KubeObject): string =>
    `/apis/example.com/v1/namespaces/${copy.metadata.namespace ?? ''}/crontabs/${copy.metadata.name ?? ''}`;
  const publishCronTabs = (): Promise<KubeObject> =>
    applyObject(
      local,
      parse(readFileSync(fixture('test/fixtures/publishedresources/crontabs.yaml'), 'utf8')) as KubeObject,
    );
  /**
   * The setup most tests share, done once by whichever test needs it first:
   * the PublishedResource applied, and the API bound and served in both
   * teams' workspaces.
   */
  let bound: Promise<void> | undefined;
  const apiBound = (): Promise<void> =>
    (bound ??= (async () => {
      await publishCronTabs();
      for (const ws of [teamA, teamB]) await bindExport(suite().kcp, ws.path, { path: provider.path, name: EXPORT });
      for (const c of [consumerA, consumerB])
        await waitFor('the API in the consumer workspace', () => c.list(crontabsOfA));
    })());
  const start = async (): Promise<void> => {
    agent = await startAgent(suite().artifacts, {
      name: AGENT,
      kcp: suite().kcp,
      providerPath: provider.path,
      exportName: EXPORT,
      service,
      namespace: 'api-syncagent',
    });
    await waitAgentReady(agent);
  };

  before(async function () {
    const { kcp, artifacts } = suite();
    service = await startServiceCluster(artifacts, uniqueName('svc-sync'));
    local = await service.client();
    await installCrd(local, readCrd(fixture('crds/syncagent.kcp.io_publishedresources.yaml')));
    await installCrd(local, readCrd(fixture('test/fixtures/crds/crontab.yaml')));
    await local.create('/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'api-syncagent' },
    });
    const org = await createWorkspace(kcp, 'root', uniqueName('sync'));
    provider = await createWorkspace(kcp, org.path, 'provider');
    teamA = await createWorkspace(kcp, org.path, 'team-a');
    teamB = await createWorkspace(kcp, org.path, 'team-b');
    await grantAgentAccess(kcp, provider.path, EXPORT);
    consumerA = await kcp.client('admin', teamA.path);
    consumerB = await kcp.client('admin', teamB.path);
    await start();
  });

  after(async function () {
    await agent.process.stop();
    await service.stop();
  });

  it('publishes the API: the agent creates the APIExport with the schema and reports Ready conditions', async function () {
    await publishCronTabs();
    const kcpAdmin = await suite().kcp.client('admin', provider.path);
    const exp = await waitFor('the APIExport with the CronTab schema', async () => {
      const e = await kcpAdmin.get(`/apis/apis.kcp.io/v1alpha2/apiexports/${EXPORT}`).catch(() => undefined);
      const resources =
        (e?.['spec'] as { resources?: { name: string; schema: string }[] } | undefined)?.resources ?? [];
      return resources.some((r) => r.name === 'crontabs') ? e : undefined;
    });
    expect(exp.metadata.annotations?.['syncagent.kcp.io/agent-name']).to.equal(AGENT);
    await waitFor('SchemaReady and ExportReady on the PublishedResource', async () => {
      const obj = await local.get(`${PR_PATH}/publish-crontabs`);
      return conditionTrue(obj, 'SchemaReady') && conditionTrue(obj, 'ExportReady') ? true : undefined;
    });
  });

  it("copies consumer A's object down into A's namespace and brings Ready back up, with events", async function () {
    await apiBound();
    const created = Date.now();
    const copy = await createInA('backup', { cronSpec: '0 3 * * *', image: 'backup:1' });
    const createToCopy = Date.now() - created;
    expect(copy.metadata.namespace).to.equal(teamA.cluster);
    expect(copy.metadata.name).to.match(/^[0-9a-f]{20}-[0-9a-f]{20}$/);
    expect(copy.metadata.labels).to.include({
      'syncagent.kcp.io/agent-name': AGENT,
      'syncagent.kcp.io/remote-object-cluster': teamA.cluster,
    });
    expect(copy.metadata.annotations).to.include({
      'syncagent.kcp.io/remote-object-name': 'backup',
      'syncagent.kcp.io/remote-object-namespace': 'default',
    });
    expect(copy['spec']).to.deep.include({ cronSpec: '0 3 * * *', image: 'backup:1' });

    // The test plays the operator: it marks the copy Ready.
    const markedReady = Date.now();
    await writeStatus(local, localPath(copy), () => ({
      conditions: [{ type: 'Ready', status: 'True', reason: 'Done', message: 'ok' }],
    }));
    await waitFor(
      'consumer A to read Ready',
      async () => {
        const obj = await consumerA.get(`${crontabsOfA}/backup`);
        return conditionTrue(obj, 'Ready') ? true : undefined;
      },
      { intervalMs: 20 },
    );
    // Informational (polled every 20 ms).
    console.log(`      create→copy ${createToCopy} ms, copy Ready→consumer Ready ${Date.now() - markedReady} ms`);
    const events = await waitFor("the agent's events on A's object", async () => {
      const list = await consumerA.list('/api/v1/namespaces/default/events');
      const mine = list.items.filter((e) => (e['involvedObject'] as { name?: string } | undefined)?.name === 'backup');
      return mine.some((e) => e['reason'] === 'ObjectStatusSynced') ? mine : undefined;
    });
    const text = JSON.stringify(events.map((e) => e['message']));
    expect(text).to.not.include(teamA.cluster);
    expect(text).to.not.include(copy.metadata.name ?? '');
  });

  it("keeps consumer B's object of the same name as A's separate", async function () {
    await apiBound();
    const copyA = await createInA('twin', { cronSpec: '1 2 * * *' });
    await consumerB.create(crontabsOfA, crontab('twin', { cronSpec: '5 4 * * *' }));
    const copyB = await waitFor("B's copy", () => copyOf(teamB, 'twin'));
    expect(copyB.metadata.namespace).to.not.equal(copyA.metadata.namespace);
    expect(copyB['spec']).to.deep.include({ cronSpec: '5 4 * * *' });
    expect((await copyOf(teamA, 'twin'))?.['spec']).to.deep.include({ cronSpec: '1 2 * * *' });
  });

  it('follows a spec edit and keeps what the operator set on the copy', async function () {
    await apiBound();
    const copy = await createInA('edited', { cronSpec: '0 3 * * *', image: 'edited:1' });
    await local.patch(localPath(copy), { spec: { replicas: 3 } }, 'merge');
    const current = await consumerA.get(`${crontabsOfA}/edited`);
    await consumerA.replace(`${crontabsOfA}/edited`, {
      ...current,
      spec: { ...(current['spec'] as object), image: 'edited:2' },
    });
    const updated = await waitFor('the copy to follow the edit', async () => {
      const c = await local.get(localPath(copy));
      return (c['spec'] as { image?: string }).image === 'edited:2' ? c : undefined;
    });
    expect(updated['spec']).to.deep.include({ replicas: 3, concurrencyPolicy: 'Allow' });
  });

  it('recreates a copy that was deleted by hand on the service cluster', async function () {
    await apiBound();
    const copy = await createInA('recreated', { cronSpec: '0 4 * * *' });
    await local.delete(localPath(copy));
    const again = await waitFor('the copy to come back', async () => {
      const c = await copyOf(teamA, 'recreated');
      return c !== undefined && c.metadata.uid !== copy.metadata.uid ? c : undefined;
    });
    expect(again.metadata.name).to.equal(copy.metadata.name);
  });

  it('replaces the sync when the PublishedResource is edited, never runs two', async function () {
    await apiBound();
    await createInA('before-edit', { cronSpec: '1 1 * * *' });
    const startsBefore = agent.process
      .logTail(100_000)
      .split('\n')
      .filter((l) => l.includes('Starting sync')).length;
    const pr = await local.get(`${PR_PATH}/publish-crontabs`);
    const spec = pr['spec'] as Record<string, unknown>;
    await local.replace(`${PR_PATH}/publish-crontabs`, {
      ...pr,
      spec: { ...spec, filter: { resource: { matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] } } },
    });
    await createInA('after-edit', { cronSpec: '1 1 * * *' });
    const log = agent.process.logTail(100_000).split('\n');
    const started = log.filter((l) => l.includes('Starting sync')).length;
    const stopped = log.filter((l) => l.includes('Stopping sync')).length;
    expect(started - stopped, 'syncs running for the one PublishedResource').to.equal(1);
    expect(started, 'a new sync for the edited PublishedResource').to.be.greaterThan(startsBefore);
  });

  it('holds back a PublishedResource whose related rule does not compile, naming it, while others keep syncing', async function () {
    await apiBound();
    await applyObject(local, {
      apiVersion: 'syncagent.kcp.io/v1alpha1',
      kind: 'PublishedResource',
      metadata: { name: 'with-mutation' },
      spec: {
        resource: { apiGroup: 'example.com', kind: 'CronTab' },
        related: [
          {
            identifier: 'creds',
            origin: 'service',
            kind: 'Secret',
            object: { reference: { path: 'spec.secretName', regex: { pattern: '(' } } },
          },
        ],
      },
    });
    const held = await waitFor('SchemaReady=False on the invalid one', async () => {
      const obj = await local.get(`${PR_PATH}/with-mutation`);
      const c = (
        obj['status'] as
          { conditions?: { type: string; status: string; reason?: string; message?: string }[] } | undefined
      )?.conditions?.find((x) => x.type === 'SchemaReady');
      return c?.status === 'False' ? c : undefined;
    });
    expect(held.reason).to.equal('InvalidSpec');
    expect(held.message).to.include('spec.related[0].object.reference.regex.pattern');
    await createInA('still-synced', { cronSpec: '2 2 * * *' });
    await local.delete(`${PR_PATH}/with-mutation`);
  });

  it('survives being killed mid-way: it converges with one copy per consumer object and none left over', async function () {
    await apiBound();
    await consumerA.create(crontabsOfA, crontab('nightly', { cronSpec: '0 1 * * *' }));
    await agent.process.kill();
    await consumerA.create(crontabsOfA, crontab('hourly', { cronSpec: '0 * * * *' }));
    await start();
    await waitFor('copies of both objects', async () =>
      (await copyOf(teamA, 'nightly')) !== undefined && (await copyOf(teamA, 'hourly')) !== undefined
        ? true
        : undefined,
    );
    await agent.process.kill();
    await start();
    const copies = (await copiesOf(teamA))
      .map((c) => c.metadata.annotations?.['syncagent.kcp.io/remote-object-name'])
      .sort();
    const consumerObjects = (await consumerA.list(crontabsOfA)).items.map((o) => o.metadata.name).sort();
    expect(copies).to.include.members(['hourly', 'nightly']);
    expect(copies).to.deep.equal(consumerObjects);
  });

  it('removes the copy when the consumer deletes, then releases the object', async function () {
    await apiBound();
    const copy = await createInA('doomed', { cronSpec: '0 5 * * *' });
    await consumerA.delete(`${crontabsOfA}/doomed`);
    await waitFor('the consumer object to be gone', async () => {
      const gone = await consumerA.get(`${crontabsOfA}/doomed`).then(
        () => false,
        (err: unknown) => isNotFound(err),
      );
      return gone ? true : undefined;
    });
    const stillThere = await local.get(localPath(copy)).then(
      () => true,
      () => false,
    );
    expect(stillThere, 'the copy must be gone before the consumer object is').to.equal(false);
  });
});
