// What a provider can make of a service cluster's type on its way into kcp,
// one PublishedResource per story, all through the real servers and our
// agent: several versions, another kind, group or scope, a built-in type,
// field rewrites in both directions, filters, naming templates, workspace
// paths, and a broken PublishedResource that must not hold back the others.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { CustomResourceDefinition } from '../../src/apis/apiextensions.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { type RunningAgent, startAgent, waitAgentDecided, waitAgentReady } from '../utils/agent.ts';
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

const EXPORT = 'transforms.example.com';
const AGENT = 'e2e-transforms';
const PR_PATH = '/apis/syncagent.kcp.io/v1alpha1/publishedresources';
const ARS_PATH = '/apis/apis.kcp.io/v1alpha1/apiresourceschemas';
const WORKSPACE_PATH_ANNOTATION = 'syncagent.kcp.io/remote-object-workspace-path';
/** The claims the agent's export asks for once every story is published. */
const CLAIMS = [
  { group: '', resource: 'events', verbs: ['*'] },
  { group: '', resource: 'namespaces', verbs: ['*'] },
  { group: 'core.kcp.io', resource: 'logicalclusters', verbs: ['*'] },
];
/** The local API groups the test CronTab CRD is installed in, one per story. */
const CRONTAB_GROUPS = [
  'projection.example.com',
  'scoped.example.com',
  'mutations.example.com',
  'filters.example.com',
  'naming.example.com',
  'paths.example.com',
  'broken.example.com',
];

const fixture = (p: string): string => join(REPO_ROOT, 'test/fixtures', p);
const sha3 = (s: string, n = 20): string => createHash('sha3-256').update(s).digest('hex').slice(0, n);

/** The test CronTab CRD, moved to another API group. */
function crontabCrd(group: string): CustomResourceDefinition {
  const crd = readCrd(fixture('crds/crontab.yaml'));
  return { ...crd, metadata: { name: `crontabs.${group}` }, spec: { ...crd.spec, group } };
}

function readPr(file: string): KubeObject {
  return parse(readFileSync(fixture(`publishedresources/${file}`), 'utf8')) as KubeObject;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

function condition(obj: KubeObject, type: string): Condition | undefined {
  return (obj['status'] as { conditions?: Condition[] } | undefined)?.conditions?.find((c) => c.type === type);
}

describe('transforms: a provider shapes the published API and the copies', function () {
  let service: ServiceCluster;
  let local: RestClient;
  let provider: Workspace;
  let team: Workspace;
  let consumer: RestClient;
  let providerAdmin: RestClient;
  let agent: RunningAgent;

  /** Applies a PublishedResource and waits until consumers are served its API at `probePath`. */
  const publish = async (file: string, probePath: string): Promise<KubeObject> => {
    const pr = readPr(file);
    await applyObject(local, pr);
    const name = pr.metadata.name ?? '';
    const ready = await waitFor(
      `${name} to be published and syncing`,
      async () => {
        const obj = await local.get(`${PR_PATH}/${name}`);
        return conditionTrue(obj, 'SchemaReady') && conditionTrue(obj, 'ExportReady') && conditionTrue(obj, 'Syncing')
          ? obj
          : undefined;
      },
      { timeoutMs: 60_000 },
    );
    await waitFor(`the API of ${name} in the consumer workspace`, () => consumer.list(probePath), {
      timeoutMs: 60_000,
    });
    return ready;
  };
  /** The APIResourceSchema a PublishedResource currently publishes. */
  const schemaOf = async (pr: KubeObject): Promise<KubeObject> =>
    providerAdmin.get(`${ARS_PATH}/${(pr['status'] as { resourceSchemaName: string }).resourceSchemaName}`);
  /** The export's permission claims, as `<group>/<resource>`. */
  const exportClaims = async (): Promise<string[]> => {
    const exp = await providerAdmin.get(`/apis/apis.kcp.io/v1alpha2/apiexports/${EXPORT}`);
    return ((exp['spec'] as { permissionClaims?: { group: string; resource: string }[] }).permissionClaims ?? []).map(
      (c) => `${c.group}/${c.resource}`,
    );
  };
  /** The service-cluster copy of a consumer object, found by the agent's annotations. */
  const copyOf = async (collection: string, name: string, namespace = 'default'): Promise<KubeObject | undefined> => {
    const list = await local.list(collection, {
      labelSelector: `syncagent.kcp.io/remote-object-cluster=${team.cluster}`,
    });
    return list.items.find(
      (o) =>
        o.metadata.annotations?.['syncagent.kcp.io/remote-object-name'] === name &&
        (o.metadata.annotations['syncagent.kcp.io/remote-object-namespace'] ?? '') === namespace,
    );
  };
  const waitCopy = (collection: string, name: string, namespace = 'default'): Promise<KubeObject> =>
    waitFor(`the copy of ${namespace}/${name}`, () => copyOf(collection, name, namespace));
  /** Plays the operator: writes a status on a copy through its /status subresource. */
  const setStatus = async (path: string, status: unknown): Promise<void> => {
    await writeStatus(local, path, () => status);
  };
  const objectPathOf = (collection: string, obj: KubeObject): string => {
    const ns = obj.metadata.namespace;
    const base = ns === undefined ? collection : collection.replace(/\/([^/]+)$/, `/namespaces/${ns}/$1`);
    return `${base}/${obj.metadata.name ?? ''}`;
  };

  before(async function () {
    this.timeout(120_000);
    const { kcp, artifacts } = suite();
    service = await startServiceCluster(artifacts, uniqueName('svc-transforms'));
    local = await service.client();
    await installCrd(local, readCrd(join(REPO_ROOT, 'crds/syncagent.kcp.io_publishedresources.yaml')));
    for (const group of CRONTAB_GROUPS) await installCrd(local, crontabCrd(group));
    await installCrd(local, readCrd(fixture('crds/gadget-multiversion.yaml')));
    await installCrd(local, readCrd(fixture('crds/tenant-cluster.yaml')));
    await local.create('/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'api-syncagent' },
    });
    const org = await createWorkspace(kcp, 'root', uniqueName('transforms'));
    provider = await createWorkspace(kcp, org.path, 'provider');
    team = await createWorkspace(kcp, org.path, 'team-a');
    await grantAgentAccess(kcp, provider.path, EXPORT);
    providerAdmin = await kcp.client('admin', provider.path);
    consumer = await kcp.client('admin', team.path);
    agent = await startAgent(artifacts, {
      name: AGENT,
      kcp,
      providerPath: provider.path,
      exportName: EXPORT,
      service,
      namespace: 'api-syncagent',
    });
    await waitAgentReady(agent);
    await waitFor('the agent to create the APIExport', () =>
      providerAdmin.get(`/apis/apis.kcp.io/v1alpha2/apiexports/${EXPORT}`),
    );
    await bindExport(kcp, team.path, { path: provider.path, name: EXPORT }, CLAIMS);
  });

  after(async function () {
    await agent.process.stop();
    await service.stop();
  });

  it('publishes a CRD served in v1 and v2 with both versions and conversion None, and syncs objects at the storage version v2', async function () {
    const pr = await publish('gadgets-multiversion.yaml', '/apis/versions.example.com/v2/namespaces/default/gadgets');
    const schema = await schemaOf(pr);
    const spec = schema['spec'] as {
      versions: { name: string; served: boolean; storage: boolean }[];
      conversion?: { strategy?: string };
    };
    expect(spec.versions.map((v) => [v.name, v.served, v.storage])).to.deep.equal([
      ['v1', true, false],
      ['v2', true, true],
    ]);
    expect(spec.conversion).to.deep.equal({ strategy: 'None' });

    // The consumer speaks v1; the agent reads and writes v2 on both sides.
    await consumer.create('/apis/versions.example.com/v1/namespaces/default/gadgets', {
      apiVersion: 'versions.example.com/v1',
      kind: 'Gadget',
      metadata: { name: 'dial' },
      spec: { size: 'L', color: 'red' },
    });
    const copy = await waitCopy('/apis/versions.example.com/v2/gadgets', 'dial');
    expect(copy['spec']).to.deep.equal({ size: 'L', color: 'red' });
    const written = (copy.metadata.managedFields as { manager: string; apiVersion: string }[]).map((f) => f.apiVersion);
    expect(written).to.deep.equal(['versions.example.com/v2']);
    await setStatus(objectPathOf('/apis/versions.example.com/v1/gadgets', copy), { phase: 'Built' });
    const seen = await waitFor('the status in kcp', async () => {
      const obj = await consumer.get('/apis/versions.example.com/v1/namespaces/default/gadgets/dial');
      return (obj['status'] as { phase?: string } | undefined)?.phase === 'Built' ? obj : undefined;
    });
    const statusWriter = (seen.metadata.managedFields as { apiVersion: string; subresource?: string }[]).find(
      (f) => f.subresource === 'status',
    );
    expect(statusWriter?.apiVersion).to.equal('versions.example.com/v2');
  });

  it('lets consumers create a "Schedule" in schedules.example.net that arrives as a CronTab', async function () {
    const pr = await publish('schedules-projected.yaml', '/apis/schedules.example.net/v1/namespaces/default/schedules');
    const names = (await schemaOf(pr))['spec'] as { group: string; names: Record<string, unknown> };
    expect(names.group).to.equal('schedules.example.net');
    expect(names.names).to.deep.equal({
      kind: 'Schedule',
      listKind: 'ScheduleList',
      plural: 'schedules',
      singular: 'schedule',
      shortNames: ['sched'],
    });
    await consumer.create('/apis/schedules.example.net/v1/namespaces/default/schedules', {
      apiVersion: 'schedules.example.net/v1',
      kind: 'Schedule',
      metadata: { name: 'weekly' },
      spec: { cronSpec: '0 0 * * 0', image: 'report:2' },
    });
    const copy = await waitCopy('/apis/projection.example.com/v1/crontabs', 'weekly');
    expect(copy.apiVersion).to.equal('projection.example.com/v1');
    expect(copy.kind).to.equal('CronTab');
    expect(copy.metadata.namespace).to.equal(team.cluster);
    expect(copy['spec']).to.deep.equal({ cronSpec: '0 0 * * 0', image: 'report:2', concurrencyPolicy: 'Allow' });
    await setStatus(objectPathOf('/apis/projection.example.com/v1/crontabs', copy), { phase: 'Scheduled' });
    await waitFor("the Schedule to show the CronTab's status", async () => {
      const obj = await consumer.get('/apis/schedules.example.net/v1/namespaces/default/schedules/weekly');
      return (obj['status'] as { phase?: string } | undefined)?.phase === 'Scheduled' ? true : undefined;
    });
  });

  it('serves a cluster-scoped service type as namespaced in kcp: one Tenant per consumer namespace, copies named by workspace and namespace', async function () {
    const pr = await publish('tenants-namespaced.yaml', '/apis/tenants.example.net/v1/namespaces/default/tenants');
    expect(((await schemaOf(pr))['spec'] as { scope: string }).scope).to.equal('Namespaced');
    await consumer.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    for (const ns of ['default', 'other']) {
      await consumer.create(`/apis/tenants.example.net/v1/namespaces/${ns}/tenants`, {
        apiVersion: 'tenants.example.net/v1',
        kind: 'Tenant',
        metadata: { name: 'acme' },
        spec: { owner: ns, quota: 3 },
      });
    }
    for (const ns of ['default', 'other']) {
      const copy = await waitCopy('/apis/scope.example.com/v1/tenants', 'acme', ns);
      expect(copy.metadata.namespace).to.equal(undefined);
      expect(copy.metadata.name).to.equal(`${team.cluster}-${ns}-acme`);
      expect(copy['spec']).to.deep.equal({ owner: ns, quota: 3 });
    }
    const copy = (await copyOf('/apis/scope.example.com/v1/tenants', 'acme', 'other'))!;
    await setStatus(`/apis/scope.example.com/v1/tenants/${copy.metadata.name ?? ''}`, { phase: 'Active' });
    await waitFor('the namespaced Tenant to show the status', async () => {
      const obj = await consumer.get('/apis/tenants.example.net/v1/namespaces/other/tenants/acme');
      return (obj['status'] as { phase?: string } | undefined)?.phase === 'Active' ? true : undefined;
    });
  });

  it('serves a namespaced CronTab as a cluster-scoped "GlobalSchedule": copies go to the workspace\'s namespace', async function () {
    const pr = await publish('crontabs-cluster-scoped.yaml', '/apis/global.example.net/v1/globalschedules');
    const spec = (await schemaOf(pr))['spec'] as { scope: string; names: { kind: string; plural: string } };
    expect([spec.scope, spec.names.kind, spec.names.plural]).to.deep.equal([
      'Cluster',
      'GlobalSchedule',
      'globalschedules',
    ]);
    await consumer.create('/apis/global.example.net/v1/globalschedules', {
      apiVersion: 'global.example.net/v1',
      kind: 'GlobalSchedule',
      metadata: { name: 'audit' },
      spec: { cronSpec: '@hourly' },
    });
    const copy = await waitCopy('/apis/scoped.example.com/v1/crontabs', 'audit', '');
    expect(copy.metadata.namespace).to.equal(team.cluster);
    // The default name hashes the (empty) consumer namespace and the name.
    expect(copy.metadata.name).to.equal(`${sha3('')}-${sha3('audit')}`);
    expect(copy.metadata.annotations).to.not.have.property('syncagent.kcp.io/remote-object-namespace');
    expect(copy['spec']).to.deep.equal({ cronSpec: '@hourly', concurrencyPolicy: 'Allow' });
  });

  it("publishes the service cluster's ConfigMaps from its OpenAPI schema: consumers' ConfigMaps in config.example.net become real ConfigMaps", async function () {
    const pr = await publish('configmaps.yaml', '/apis/config.example.net/v1/namespaces/default/configmaps');
    const schema = await schemaOf(pr);
    expect(schema.metadata.name).to.match(/^v[0-9a-f]{8}\.configmaps\.config\.example\.net$/);
    const spec = schema['spec'] as {
      versions: { name: string; subresources?: unknown; schema: { properties: Record<string, unknown> } }[];
    };
    expect(spec.versions.map((v) => v.name)).to.deep.equal(['v1']);
    expect(spec.versions[0]!.schema.properties).to.include.keys('data', 'binaryData', 'immutable');
    await consumer.create('/apis/config.example.net/v1/namespaces/default/configmaps', {
      apiVersion: 'config.example.net/v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', labels: { app: 'web' } },
      data: { level: 'debug' },
      binaryData: { blob: 'aGk=' },
    });
    // The consumer's own, core ConfigMaps are not touched.
    await consumer.create('/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'private' },
      data: { a: 'b' },
    });
    const found = await waitCopy('/api/v1/configmaps', 'settings');
    const copy = await local.get(objectPathOf('/api/v1/configmaps', found));
    expect([copy.apiVersion, copy.kind, copy.metadata.namespace]).to.deep.equal(['v1', 'ConfigMap', team.cluster]);
    expect(copy['data']).to.deep.equal({ level: 'debug' });
    expect(copy['binaryData']).to.deep.equal({ blob: 'aGk=' });
    expect(copy.metadata.labels).to.include({ app: 'web' });
    expect(await copyOf('/api/v1/configmaps', 'private')).to.equal(undefined);
  });

  // A core type published without projection.group would shadow kcp's own
  // ConfigMaps: kcp v0.32's virtual workspace then serves the ConfigMaps of
  // every logical cluster (root and unbound workspaces included) and 404s
  // writes to the bound ones. Upstream v0.7.0 fails later, on the invalid
  // schema name "v<hash>.configmaps.". Ours refuses it up front.
  it("refuses to publish a core type into kcp's own core group, naming spec.projection.group", async function () {
    await applyObject(local, readPr('configmaps-core.yaml'));
    const held = await waitFor('SchemaReady=False on publish-core-configmaps', async () => {
      const c = condition(await local.get(`${PR_PATH}/publish-core-configmaps`), 'SchemaReady');
      return c?.status === 'False' ? c : undefined;
    });
    expect(held.reason).to.equal('InvalidSpec');
    expect(held.message).to.include('spec.projection.group');
    const exp = await providerAdmin.get(`/apis/apis.kcp.io/v1alpha2/apiexports/${EXPORT}`);
    expect(((exp['spec'] as { resources?: { group: string }[] }).resources ?? []).map((r) => r.group)).to.not.include(
      '',
    );
    await local.delete(`${PR_PATH}/publish-core-configmaps`);
  });

  describe('with spec and status rewritten on the way', function () {
    const crontabs = '/apis/mutations.example.com/v1/namespaces/default/crontabs';
    const copies = '/apis/mutations.example.com/v1/crontabs';
    const SPEC = {
      cronSpec: '0 3 * * *',
      image: 'docker.io/library/backup:1',
      replicas: 3,
      concurrencyPolicy: 'Forbid',
    };
    /** Creates a consumer CronTab with SPEC and returns its copy. */
    const createSynced = async (name: string): Promise<KubeObject> => {
      await consumer.create(crontabs, {
        apiVersion: 'mutations.example.com/v1',
        kind: 'CronTab',
        metadata: { name },
        spec: SPEC,
      });
      return waitCopy(copies, name);
    };

    before(async function () {
      await publish('crontabs-mutated.yaml', crontabs);
    });

    it('writes the copy with a field deleted, an image rewritten by regex, a template-built schedule and CEL-doubled replicas', async function () {
      const copy = await createSynced('rewritten');
      expect(copy['spec']).to.deep.equal({
        cronSpec: 'CRON_TZ=UTC 0 3 * * *', // template
        image: 'registry.provider.example/backup:1', // regex
        replicas: 6, // cel
        concurrencyPolicy: 'Allow', // deleted, so the service cluster's default applies
      });
      // The consumer's object is not changed.
      const mine = await consumer.get(`${crontabs}/rewritten`);
      expect(mine['spec']).to.deep.equal(SPEC);
    });

    it('follows a consumer edit through the same rules', async function () {
      const copy = await createSynced('edited');
      const mine = await consumer.get(`${crontabs}/edited`);
      await consumer.replace(`${crontabs}/edited`, {
        ...mine,
        spec: { ...(mine['spec'] as object), image: 'quay.io/team/backup:2', replicas: 5 },
      });
      const path = objectPathOf(copies, copy);
      await waitFor('the rewritten edit on the copy', async () => {
        const c = await local.get(path);
        const spec = c['spec'] as Record<string, unknown>;
        return spec['image'] === 'registry.provider.example/backup:2' && spec['replicas'] === 10 ? true : undefined;
      });
    });

    it('sends the status up with a message rewritten by regex, a field deleted, a template-built type and a CEL-mapped phase', async function () {
      const copy = await createSynced('reporting');
      await setStatus(objectPathOf(copies, copy), {
        phase: 'Running',
        conditions: [
          {
            type: 'ready',
            status: 'True',
            reason: 'JobScheduled',
            message: 'cronjob backup-7f9c in namespace ops-7 scheduled',
          },
        ],
      });
      const status = await waitFor('the mutated status in kcp', async () => {
        const obj = await consumer.get(`${crontabs}/reporting`);
        const s = obj['status'] as { phase?: string } | undefined;
        return s?.phase !== undefined ? s : undefined;
      });
      expect(status).to.deep.equal({
        phase: 'Ready', // cel
        conditions: [{ type: 'Ready', status: 'True', message: 'cronjob backup-7f9c on the provider side scheduled' }], // template, delete, regex
      });
      // The copy keeps the operator's status.
      const c = await local.get(objectPathOf(copies, copy));
      expect((c['status'] as { phase: string }).phase).to.equal('Running');
    });
  });

  describe('with filters on object labels and namespace labels', function () {
    const filtered = (ns: string, name = ''): string =>
      `/apis/filters.example.com/v1/namespaces/${ns}/crontabs${name === '' ? '' : `/${name}`}`;
    const copies = '/apis/filters.example.com/v1/crontabs';
    const copyKeys = async (): Promise<string[]> =>
      (await local.list(copies, { labelSelector: `syncagent.kcp.io/remote-object-cluster=${team.cluster}` })).items
        .map(
          (c) =>
            `${c.metadata.annotations?.['syncagent.kcp.io/remote-object-namespace'] ?? ''}/${c.metadata.annotations?.['syncagent.kcp.io/remote-object-name'] ?? ''}`,
        )
        .sort();
    /** Replaces an object's labels (and spec); returns the new resourceVersion. */
    const relabel = async (
      ns: string,
      name: string,
      labels: Record<string, string>,
      spec?: Record<string, unknown>,
    ): Promise<string> => {
      const obj = await consumer.get(filtered(ns, name));
      const written = await consumer.replace(filtered(ns, name), {
        ...obj,
        metadata: { ...obj.metadata, labels },
        spec: spec ?? obj['spec'],
      });
      return written.metadata.resourceVersion ?? '';
    };

    before(async function () {
      await publish('crontabs-filtered.yaml', filtered('default'));
      await consumer.create('/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'paid', labels: { tier: 'paid' } },
      });
      await consumer.create('/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'free', labels: { tier: 'free' } },
      });
    });

    /** Creates a filters.example.com CronTab in the consumer workspace; returns its resourceVersion. */
    const create = async (ns: string, name: string, labels: Record<string, string>): Promise<string> =>
      (
        await consumer.create(filtered(ns), {
          apiVersion: 'filters.example.com/v1',
          kind: 'CronTab',
          metadata: { name, labels },
          spec: { cronSpec: '@daily' },
        })
      ).metadata.resourceVersion ?? '';
    const decided = (ns: string, name: string, resourceVersion: string): Promise<void> =>
      waitAgentDecided(agent, { cluster: team.cluster, namespace: ns, name, resourceVersion });

    it('syncs only labelled objects in namespaces of the paid tier', async function () {
      // The namespace filter reads consumers' Namespaces: the export claims them.
      expect(await exportClaims()).to.include.members(['/events', '/namespaces']);
      const ignored = [
        ['paid', 'unlabelled', {}],
        ['paid', 'refused', { sync: 'no' }],
        ['free', 'wanted', { sync: 'yes' }],
      ] as const;
      await create('paid', 'wanted', { sync: 'yes' });
      const versions = [];
      for (const [ns, name, labels] of ignored) versions.push(await create(ns, name, labels));
      await waitCopy(copies, 'wanted', 'paid');
      for (const [i, [ns, name]] of ignored.entries()) await decided(ns, name, versions[i] ?? '');

      const keys = await copyKeys();
      expect(keys).to.include('paid/wanted');
      for (const [ns, name] of ignored) {
        expect(keys, `${ns}/${name} has no copy`).to.not.include(`${ns}/${name}`);
        const obj = await consumer.get(filtered(ns, name));
        expect(obj.metadata.finalizers ?? [], `${ns}/${name} has no finalizer`).to.deep.equal([]);
      }
    });

    it('picks up an object once it is labelled', async function () {
      await decided('paid', 'late', await create('paid', 'late', {}));
      expect(await copyOf(copies, 'late', 'paid')).to.equal(undefined);

      await relabel('paid', 'late', { sync: 'yes' });

      await waitCopy(copies, 'late', 'paid');
    });

    it('keeps the copy of an object that stops matching as it is, no longer updated', async function () {
      await create('paid', 'dropped', { sync: 'yes' });
      await waitCopy(copies, 'dropped', 'paid');

      const changed = await relabel('paid', 'dropped', {}, { cronSpec: '@weekly' });
      await decided('paid', 'dropped', changed);

      const copy = await copyOf(copies, 'dropped', 'paid');
      expect(copy?.['spec']).to.deep.include({ cronSpec: '@daily' });
      expect(copy?.metadata.labels).to.include({ sync: 'yes' });
    });

    it('still removes the copy when the consumer deletes an object that stopped matching', async function () {
      await create('paid', 'stopped', { sync: 'yes' });
      await waitCopy(copies, 'stopped', 'paid');
      await decided('paid', 'stopped', await relabel('paid', 'stopped', {}));

      await consumer.delete(filtered('paid', 'stopped'));
      await waitFor('the consumer object to be gone', async () => {
        const gone = await consumer.get(filtered('paid', 'stopped')).then(
          () => false,
          () => true,
        );
        return gone ? true : undefined;
      });
      expect(await copyOf(copies, 'stopped', 'paid')).to.equal(undefined);
    });
  });

  it('names copies with a Go template: a prefixed namespace per workspace and the object name with a short hash of its namespace', async function () {
    await publish('crontabs-named.yaml', '/apis/naming.example.com/v1/namespaces/default/crontabs');
    await consumer.create('/apis/naming.example.com/v1/namespaces/default/crontabs', {
      apiVersion: 'naming.example.com/v1',
      kind: 'CronTab',
      metadata: { name: 'nightly-report-for-the-finance-department' },
      spec: { cronSpec: '@midnight' },
    });
    const copy = await waitCopy('/apis/naming.example.com/v1/crontabs', 'nightly-report-for-the-finance-department');
    expect(copy.metadata.namespace).to.equal(`tenant-${team.cluster}`);
    expect(copy.metadata.name).to.equal(`nightly-report-for-the-finance-${sha3('default', 8)}`);
  });

  it('holds back PublishedResources with a broken regex or CEL expression, naming the field, while the others keep syncing', async function () {
    await publish('crontabs-named.yaml', '/apis/naming.example.com/v1/namespaces/default/crontabs');
    for (const file of ['crontabs-bad-regex.yaml', 'crontabs-bad-cel.yaml']) await applyObject(local, readPr(file));
    const held = async (name: string): Promise<Condition> =>
      waitFor(`SchemaReady=False on ${name}`, async () => {
        const c = condition(await local.get(`${PR_PATH}/${name}`), 'SchemaReady');
        return c?.status === 'False' ? c : undefined;
      });
    const regex = await held('publish-bad-regex');
    expect(regex.reason).to.equal('InvalidSpec');
    expect(regex.message)
      .to.include('spec.mutation.spec[0].regex.pattern')
      .and.to.include('error parsing regexp: missing closing ): `^(registry`');
    const cel = await held('publish-bad-cel');
    expect(cel.reason).to.equal('InvalidSpec');
    expect(cel.message).to.include('spec.mutation.status[0].cel.expression');
    const events = await waitFor('a Warning event on the broken PublishedResource', async () => {
      const list = await local.list('/api/v1/namespaces/default/events');
      const mine = list.items.filter(
        (e) => (e['involvedObject'] as { name?: string }).name === 'publish-bad-regex' && e['type'] === 'Warning',
      );
      return mine.length > 0 ? mine : undefined;
    });
    expect(String(events[0]!['message'])).to.include('spec.mutation.spec[0].regex.pattern');
    // Nothing of them reaches kcp.
    const exp = await providerAdmin.get(`/apis/apis.kcp.io/v1alpha2/apiexports/${EXPORT}`);
    const groups = ((exp['spec'] as { resources?: { group: string }[] }).resources ?? []).map((r) => r.group);
    expect(groups).to.not.include.members(['broken.example.com', 'broken-cel.example.net']);
    // A good one still syncs.
    await consumer.create('/apis/naming.example.com/v1/namespaces/default/crontabs', {
      apiVersion: 'naming.example.com/v1',
      kind: 'CronTab',
      metadata: { name: 'after-the-broken-ones' },
      spec: { cronSpec: '@weekly' },
    });
    await waitCopy('/apis/naming.example.com/v1/crontabs', 'after-the-broken-ones');
  });

  it('annotates copies with the consumer workspace path and offers it to naming templates', async function () {
    await publish('crontabs-workspace-paths.yaml', '/apis/paths.example.com/v1/namespaces/default/crontabs');
    expect(await exportClaims()).to.include.members(['/events', 'core.kcp.io/logicalclusters']);
    await consumer.create('/apis/paths.example.com/v1/namespaces/default/crontabs', {
      apiVersion: 'paths.example.com/v1',
      kind: 'CronTab',
      metadata: { name: 'located' },
      spec: { cronSpec: '@daily' },
    });
    const copy = await waitCopy('/apis/paths.example.com/v1/crontabs', 'located');
    expect(copy.metadata.annotations?.[WORKSPACE_PATH_ANNOTATION]).to.equal(team.path);
    expect(copy.metadata.name).to.equal(`located-${sha3(team.path, 10)}`);
  });
});
