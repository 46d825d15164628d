// Drop-in compatibility, measured: upstream's agent (v0.7.0) and ours run one
// after the other against the same servers, with the same PublishedResources
// (one per category) and the same consumer objects. Each gets its own
// provider workspace, export, consumer workspace, agent name and service
// namespace, so neither sees the other's objects. What each produced is then
// compared: the APIResourceSchema's spec, the copies on the service cluster
// and the status that came back up into kcp. Equal where we claim
// compatibility; every difference is asserted as such, citing
// docs/compatibility.md.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { CustomResourceDefinition } from '../../src/apis/apiextensions.ts';
import type { PermissionClaim } from '../../src/apis/kcp.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import type { Artifacts } from '../utils/artifacts.ts';
import { startAgent, waitAgentReady } from '../utils/agent.ts';
import {
  type Workspace,
  applyObject,
  bindExport,
  createWorkspace,
  grantAgentAccess,
  uniqueName,
} from '../utils/kcp-fixtures.ts';
import type { ManagedProcess } from '../utils/processes.ts';
import { installCrd, readCrd } from '../utils/service-fixtures.ts';
import { type ServiceCluster, startServiceCluster } from '../utils/service-cluster.ts';
import { suite } from '../utils/suite.ts';
import { REPO_ROOT } from '../utils/tools.ts';
import {
  RELATED_GROUP,
  RELATED_OBJECT,
  type RelatedResult,
  collectRelated,
  writeRelatedSources,
} from '../utils/compat-related.ts';
import { prepareUpstreamExport, startUpstreamAgent } from '../utils/upstream-agent.ts';
import { waitFor } from '../utils/wait.ts';
import { writeStatus } from '../utils/write-status.ts';

type AgentKind = 'upstream' | 'ours';

const fixture = (p: string): string => join(REPO_ROOT, 'test/fixtures', p);
const sha3 = (s: string, n = 20): string => createHash('sha3-256').update(s).digest('hex').slice(0, n);
const LAST_KNOWN_STATE = 'syncagent.kcp.io/last-known-state';
const SELECTOR_LABEL = 'compat.kcp.io/agent';
const RELATED_OWNER = 'syncagent.kcp.io/related-owner';
const RELATED_STATE = 'syncagent.kcp.io/related-state';

/** The object without one annotation (and without an annotations map left empty). */
function withoutAnnotation(obj: KubeObject, key: string): KubeObject {
  const annotations = Object.fromEntries(Object.entries(obj.metadata.annotations ?? {}).filter(([k]) => k !== key));
  const { annotations: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata: Object.keys(annotations).length === 0 ? metadata : { ...metadata, annotations } };
}

const CRONTAB_STATUS = {
  phase: 'Running',
  conditions: [
    {
      type: 'ready',
      status: 'True',
      reason: 'JobScheduled',
      message: 'cronjob backup-7f9c in namespace ops-7 scheduled',
    },
  ],
};

/** One category: a PublishedResource, what consumers create, and where the copies land. */
interface Category {
  readonly id: string;
  readonly prFile: string;
  /** The consumer-side API, e.g. `/apis/schedules.example.net/v1`, and its plural. */
  readonly api: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** Cluster-wide collection of the copies on the service cluster. */
  readonly local: string;
  /** Consumer objects: [namespace ('' when cluster-scoped), object]. */
  readonly objects: readonly (readonly [string, KubeObject])[];
  /** Names the filters must let through (default: all). */
  readonly synced?: readonly string[];
  /** The status the operator writes on each copy (none: the type has no status). */
  readonly status?: Record<string, unknown>;
  /**
   * A known difference (docs/compatibility.md, "Measured against upstream
   * v0.7.0"), asserted by its own test instead of plain equality.
   */
  readonly difference?:
    'empty-subresources' | 'cluster-prefix' | 'upstream-cannot-name' | 'template-output' | 'related';
}

const crontab = (
  group: string,
  name: string,
  spec: Record<string, unknown>,
  meta: Record<string, unknown> = {},
): KubeObject => ({ apiVersion: `${group}/v1`, kind: 'CronTab', metadata: { name, ...meta }, spec });

const CATEGORIES: readonly Category[] = [
  {
    id: 'plain',
    prFile: 'crontabs.yaml',
    api: '/apis/example.com/v1',
    plural: 'crontabs',
    namespaced: true,
    local: '/apis/example.com/v1/crontabs',
    objects: [
      [
        'default',
        crontab(
          'example.com',
          'plain-backup',
          { cronSpec: '0 3 * * *', image: 'backup:1', replicas: 2 },
          { labels: { app: 'backup' }, annotations: { 'example.com/owner': 'team-a' } },
        ),
      ],
    ],
    status: CRONTAB_STATUS,
  },
  {
    id: 'multi-version',
    prFile: 'gadgets-multiversion.yaml',
    api: '/apis/versions.example.com/v1',
    plural: 'gadgets',
    namespaced: true,
    local: '/apis/versions.example.com/v2/gadgets',
    objects: [
      [
        'default',
        {
          apiVersion: 'versions.example.com/v1',
          kind: 'Gadget',
          metadata: { name: 'gadget-dial' },
          spec: { size: 'L', color: 'red' },
        },
      ],
    ],
    status: { phase: 'Built' },
  },
  {
    id: 'projected kind and group',
    prFile: 'schedules-projected.yaml',
    api: '/apis/schedules.example.net/v1',
    plural: 'schedules',
    namespaced: true,
    local: '/apis/projection.example.com/v1/crontabs',
    objects: [
      [
        'default',
        {
          apiVersion: 'schedules.example.net/v1',
          kind: 'Schedule',
          metadata: { name: 'sched-weekly' },
          spec: { cronSpec: '0 0 * * 0', image: 'report:2' },
        },
      ],
    ],
    status: CRONTAB_STATUS,
  },
  {
    id: 'cluster-scoped type projected to Namespaced',
    prFile: 'tenants-namespaced.yaml',
    api: '/apis/tenants.example.net/v1',
    plural: 'tenants',
    namespaced: true,
    local: '/apis/scope.example.com/v1/tenants',
    objects: [
      [
        'default',
        {
          apiVersion: 'tenants.example.net/v1',
          kind: 'Tenant',
          metadata: { name: 'tenant-acme' },
          spec: { owner: 'acme', quota: 3 },
        },
      ],
    ],
    status: { phase: 'Active' },
  },
  {
    id: 'namespaced type projected to Cluster',
    prFile: 'crontabs-cluster-scoped.yaml',
    api: '/apis/global.example.net/v1',
    plural: 'globalschedules',
    namespaced: false,
    local: '/apis/scoped.example.com/v1/crontabs',
    objects: [
      [
        '',
        {
          apiVersion: 'global.example.net/v1',
          kind: 'GlobalSchedule',
          metadata: { name: 'global-audit' },
          spec: { cronSpec: '@hourly' },
        },
      ],
    ],
    status: CRONTAB_STATUS,
    difference: 'upstream-cannot-name',
  },
  {
    id: 'cluster-scoped type, default naming',
    prFile: 'tenants-cluster-default-naming.yaml',
    api: '/apis/accounts.example.net/v1',
    plural: 'accounts',
    namespaced: true,
    local: '/apis/scope.example.com/v1/tenants',
    objects: [
      [
        'default',
        {
          apiVersion: 'accounts.example.net/v1',
          kind: 'Account',
          metadata: { name: 'account-initech' },
          spec: { owner: 'initech' },
        },
      ],
    ],
    status: { phase: 'Active' },
    difference: 'cluster-prefix',
  },
  {
    id: 'ConfigMap',
    prFile: 'configmaps.yaml',
    api: '/apis/config.example.net/v1',
    plural: 'configmaps',
    namespaced: true,
    local: '/api/v1/configmaps',
    objects: [
      [
        'default',
        {
          apiVersion: 'config.example.net/v1',
          kind: 'ConfigMap',
          metadata: { name: 'cm-settings', labels: { app: 'web' } },
          data: { level: 'debug' },
          binaryData: { blob: 'aGk=' },
        },
      ],
    ],
    difference: 'empty-subresources',
  },
  {
    id: 'mutations',
    prFile: 'crontabs-mutated.yaml',
    api: '/apis/mutations.example.com/v1',
    plural: 'crontabs',
    namespaced: true,
    local: '/apis/mutations.example.com/v1/crontabs',
    objects: [
      [
        'default',
        crontab('mutations.example.com', 'mutated-full', {
          cronSpec: '0 3 * * *',
          image: 'docker.io/library/backup:1',
          replicas: 3,
          concurrencyPolicy: 'Forbid',
        }),
      ],
      ['default', crontab('mutations.example.com', 'mutated-bare', { cronSpec: '@daily', image: 'backup' })],
    ],
    status: CRONTAB_STATUS,
  },
  {
    id: 'mutation edge cases',
    prFile: 'crontabs-mutated-edges.yaml',
    api: '/apis/edges.example.com/v1',
    plural: 'crontabs',
    namespaced: true,
    local: '/apis/edges.example.com/v1/crontabs',
    objects: [
      [
        'default',
        crontab('edges.example.com', 'mutated-edges', { cronSpec: '@daily', image: 'backup<1>', replicas: 1000000 }),
      ],
    ],
    status: CRONTAB_STATUS,
    difference: 'template-output',
  },
  {
    id: 'filters',
    prFile: 'crontabs-filtered.yaml',
    api: '/apis/filters.example.com/v1',
    plural: 'crontabs',
    namespaced: true,
    local: '/apis/filters.example.com/v1/crontabs',
    // The refused objects come first: objects are created in this order and
    // an agent takes them from its watch in that order, so once the wanted
    // one is synced and its status is back, the agent has looked at the
    // refused ones too (the negative check needs no sleep).
    objects: [
      ['paid', crontab('filters.example.com', 'filter-unlabelled', { cronSpec: '@daily' })],
      ['free', crontab('filters.example.com', 'filter-free', { cronSpec: '@daily' }, { labels: { sync: 'yes' } })],
      ['paid', crontab('filters.example.com', 'filter-wanted', { cronSpec: '@daily' }, { labels: { sync: 'yes' } })],
    ],
    synced: ['filter-wanted'],
    status: CRONTAB_STATUS,
  },
  {
    id: 'naming template',
    prFile: 'crontabs-named.yaml',
    api: '/apis/naming.example.com/v1',
    plural: 'crontabs',
    namespaced: true,
    local: '/apis/naming.example.com/v1/crontabs',
    objects: [
      [
        'default',
        crontab('naming.example.com', 'nightly-report-for-the-finance-department', { cronSpec: '@midnight' }),
      ],
    ],
    status: CRONTAB_STATUS,
  },
  {
    id: 'workspace paths',
    prFile: 'crontabs-workspace-paths.yaml',
    api: '/apis/paths.example.com/v1',
    plural: 'crontabs',
    namespaced: true,
    local: '/apis/paths.example.com/v1/crontabs',
    objects: [['default', crontab('paths.example.com', 'located', { cronSpec: '@daily' })]],
    status: CRONTAB_STATUS,
  },
  {
    id: 'related resources',
    prFile: 'related-crontabs.yaml',
    api: `/apis/${RELATED_GROUP}/v1`,
    plural: 'crontabs',
    namespaced: true,
    local: `/apis/${RELATED_GROUP}/v1/crontabs`,
    objects: [['default', crontab(RELATED_GROUP, RELATED_OBJECT, { cronSpec: '@daily', image: 'db:1' })]],
    status: CRONTAB_STATUS,
    difference: 'related',
  },
];

const CRONTAB_GROUPS = [
  'example.com',
  'projection.example.com',
  'scoped.example.com',
  'mutations.example.com',
  'edges.example.com',
  'filters.example.com',
  'naming.example.com',
  'paths.example.com',
  RELATED_GROUP,
];

/** What one agent produced for one category, normalised. */
interface CategoryResult {
  readonly schema: unknown;
  readonly schemaName: string;
  readonly copies: KubeObject[];
  /** The consumer objects' status, by `<namespace>/<name>`. */
  readonly status: Record<string, unknown>;
  /** How many copies carry the last-known-state annotation (normalised away above). */
  readonly copiesWithState: number;
}

interface RunResult {
  readonly categories: Map<string, CategoryResult>;
  readonly claims: string[];
  readonly team: Workspace;
  /** The agent's log, for differences only the log shows. */
  readonly log: string;
  /** Last-known-state Secrets in the agent's namespace (upstream keeps one per object). */
  readonly stateSecrets: number;
  /** Both sides of the related Secret and ConfigMap (compat-related.ts), normalised. */
  readonly related: RelatedResult;
}

/** Everything a run needs: the servers and where this agent's objects live. */
interface RunContext {
  readonly kind: AgentKind;
  readonly agentName: string;
  readonly local: RestClient;
  readonly provider: Workspace;
  readonly team: Workspace;
  readonly consumer: RestClient;
  readonly providerAdmin: RestClient;
}

function crontabCrd(group: string): CustomResourceDefinition {
  const crd = readCrd(fixture('crds/crontab.yaml'));
  return { ...crd, metadata: { name: `crontabs.${group}` }, spec: { ...crd.spec, group } };
}

function prFor(kind: AgentKind, file: string): KubeObject {
  const pr = parse(readFileSync(fixture(`publishedresources/${file}`), 'utf8')) as KubeObject;
  return { ...pr, metadata: { name: `${kind}-${pr.metadata.name ?? ''}`, labels: { [SELECTOR_LABEL]: kind } } };
}

const consumerPath = (c: Category, namespace: string, name = ''): string =>
  `${c.api}/${c.namespaced ? `namespaces/${namespace}/` : ''}${c.plural}${name === '' ? '' : `/${name}`}`;

const remoteKey = (o: KubeObject): string =>
  `${o.metadata.annotations?.['syncagent.kcp.io/remote-object-namespace'] ?? ''}/${o.metadata.annotations?.['syncagent.kcp.io/remote-object-name'] ?? ''}`;

const syncedObjects = (c: Category): (readonly [string, KubeObject])[] =>
  c.objects.filter(([, o]) => c.synced === undefined || c.synced.includes(o.metadata.name ?? ''));

/** The path of a copy, from the cluster-wide collection of its type. */
function copyPath(c: Category, copy: KubeObject): string {
  const ns = copy.metadata.namespace;
  const base = ns === undefined ? c.local : c.local.replace(/\/([^/]+)$/, `/namespaces/${ns}/$1`);
  return `${base}/${copy.metadata.name ?? ''}`;
}

/**
 * Replaces what differs between the two runs by design (the consumer's
 * logical cluster and path, hashes of the path, the agent name) with
 * placeholders, and drops volatile metadata.
 */
function normalise<T>(value: T, ctx: RunContext): T {
  const replacements: [string, string][] = [
    [ctx.team.path, '<workspace path>'],
    [sha3(ctx.team.path, 10), '<sha3short(workspace path, 10)>'],
    [ctx.team.cluster, '<cluster>'],
    [ctx.agentName, '<agent>'],
  ];
  let text = JSON.stringify(value);
  for (const [from, to] of replacements) text = text.replaceAll(from, to);
  return JSON.parse(text, (key, v: unknown) =>
    ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', LAST_KNOWN_STATE].includes(key)
      ? undefined
      : v,
  ) as T;
}

async function collectCategory(ctx: RunContext, c: Category): Promise<CategoryResult> {
  const pr = await ctx.local.get(
    `/apis/syncagent.kcp.io/v1alpha1/publishedresources/${prFor(ctx.kind, c.prFile).metadata.name ?? ''}`,
  );
  const schemaName = (pr['status'] as { resourceSchemaName: string }).resourceSchemaName;
  const schema = await ctx.providerAdmin.get(`/apis/apis.kcp.io/v1alpha1/apiresourceschemas/${schemaName}`);
  const names = new Set(c.objects.map(([, o]) => o.metadata.name));
  const copies = (
    await ctx.local.list(c.local, { labelSelector: `syncagent.kcp.io/agent-name=${ctx.agentName}` })
  ).items
    .filter((o) => names.has(o.metadata.annotations?.['syncagent.kcp.io/remote-object-name']))
    .sort((a, b) => remoteKey(a).localeCompare(remoteKey(b)));
  const status: Record<string, unknown> = {};
  for (const [ns, o] of c.objects) {
    const obj = await ctx.consumer.get(consumerPath(c, ns, o.metadata.name));
    status[`${ns}/${o.metadata.name ?? ''}`] = obj['status'] ?? null;
  }
  return {
    schema: normalise(schema['spec'], ctx),
    schemaName,
    copies: normalise(copies, ctx),
    status: normalise(status, ctx),
    copiesWithState: copies.filter((o) => o.metadata.annotations?.[LAST_KNOWN_STATE] !== undefined).length,
  };
}

/** Waits until every PublishedResource has a schema and the export serves them all. */
async function waitPublished(ctx: RunContext, exportName: string): Promise<PermissionClaim[]> {
  const schemaNames = await waitFor(
    `${ctx.kind}: a schema for every PublishedResource`,
    async () => {
      const names: string[] = [];
      for (const c of CATEGORIES) {
        const pr = await ctx.local.get(
          `/apis/syncagent.kcp.io/v1alpha1/publishedresources/${prFor(ctx.kind, c.prFile).metadata.name ?? ''}`,
        );
        const name = (pr['status'] as { resourceSchemaName?: string } | undefined)?.resourceSchemaName;
        if (name === undefined || name === '') return undefined;
        names.push(name);
      }
      return names;
    },
    { timeoutMs: 150_000 },
  );
  return waitFor(
    `${ctx.kind}: the export to serve every schema`,
    async () => {
      const exp = await ctx.providerAdmin.get(`/apis/apis.kcp.io/v1alpha2/apiexports/${exportName}`);
      const spec = exp['spec'] as { resources?: { schema: string }[]; permissionClaims?: PermissionClaim[] };
      const served = new Set((spec.resources ?? []).map((r) => r.schema));
      const claims = spec.permissionClaims ?? [];
      const claimed = new Set(claims.map((c) => `${c.group}/${c.resource}`));
      return schemaNames.every((n) => served.has(n)) &&
        claims.length >= 3 &&
        claimed.has('/secrets') &&
        claimed.has('/configmaps')
        ? claims
        : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

async function createConsumerObjects(ctx: RunContext): Promise<void> {
  await ctx.consumer.create('/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'paid', labels: { tier: 'paid' } },
  });
  await ctx.consumer.create('/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'free', labels: { tier: 'free' } },
  });
  for (const c of CATEGORIES) {
    await waitFor(`${ctx.kind}: ${c.id} served to the consumer`, () => ctx.consumer.list(consumerPath(c, 'default')), {
      timeoutMs: 60_000,
    });
    for (const [ns, o] of c.objects) await ctx.consumer.create(consumerPath(c, ns), o);
  }
}

/** Waits for every expected copy, plays the operator (writes status), waits for the status in kcp. */
async function syncAndOperate(ctx: RunContext): Promise<void> {
  for (const c of CATEGORIES) {
    if (ctx.kind === 'upstream' && c.difference === 'upstream-cannot-name') continue;
    const expected = syncedObjects(c)
      .map(([ns, o]) => `${ns}/${o.metadata.name ?? ''}`)
      .sort();
    const copies = await waitFor(
      `${ctx.kind}: the copies of ${c.id}`,
      async () => {
        const list = await ctx.local.list(c.local, {
          labelSelector: `syncagent.kcp.io/agent-name=${ctx.agentName},syncagent.kcp.io/remote-object-cluster=${ctx.team.cluster}`,
        });
        const found = list.items.filter((o) => expected.includes(remoteKey(o)));
        return found.length === expected.length ? found : undefined;
      },
      { timeoutMs: 60_000 },
    );
    if (c.status === undefined) continue;
    for (const copy of copies) {
      await writeStatus(ctx.local, copyPath(c, copy), () => c.status);
    }
    for (const [ns, o] of syncedObjects(c)) {
      await waitFor(
        `${ctx.kind}: the status of ${c.id} ${ns}/${o.metadata.name ?? ''} in kcp`,
        async () => {
          const obj = await ctx.consumer.get(consumerPath(c, ns, o.metadata.name));
          return (obj['status'] as { phase?: string } | undefined)?.phase !== undefined ? true : undefined;
        },
        { timeoutMs: 60_000 },
      );
    }
  }
}

/** Runs one agent through every category and collects what it produced. */
async function runAgent(
  kind: AgentKind,
  local: RestClient,
  service: ServiceCluster,
  artifacts: Artifacts,
): Promise<RunResult> {
  const { kcp } = suite();
  const exportName = `compat-${kind}.example.com`;
  const agentName = `compat-${kind}`;
  const org = await createWorkspace(kcp, 'root', uniqueName(`compat-${kind}`));
  const provider = await createWorkspace(kcp, org.path, 'provider');
  const team = await createWorkspace(kcp, org.path, 'team');
  const ctx: RunContext = {
    kind,
    agentName,
    local,
    provider,
    team,
    consumer: await kcp.client('admin', team.path),
    providerAdmin: await kcp.client('admin', provider.path),
  };
  await local.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: agentName } });
  let proc: ManagedProcess;
  const common = {
    name: agentName,
    kcp,
    providerPath: provider.path,
    exportName,
    service,
    namespace: agentName,
    extraArgs: [`--published-resource-selector=${SELECTOR_LABEL}=${kind}`],
  };
  if (kind === 'upstream') {
    await prepareUpstreamExport(kcp, provider.path, exportName);
    proc = startUpstreamAgent(artifacts, common).process;
  } else {
    await grantAgentAccess(kcp, provider.path, exportName);
    const agent = await startAgent(artifacts, common);
    await waitAgentReady(agent);
    proc = agent.process;
  }
  try {
    for (const c of CATEGORIES) await applyObject(local, prFor(kind, c.prFile));
    const claims = await waitPublished(ctx, exportName);
    await bindExport(kcp, team.path, { path: provider.path, name: exportName }, claims);
    await writeRelatedSources(local, ctx.consumer, team.cluster);
    await createConsumerObjects(ctx);
    await syncAndOperate(ctx);
    const related = normalise(
      await collectRelated(local, ctx.consumer, `${sha3('default')}-${sha3(RELATED_OBJECT)}`, team.cluster),
      ctx,
    );
    const categories = new Map<string, CategoryResult>();
    for (const c of CATEGORIES) categories.set(c.id, await collectCategory(ctx, c));
    const secrets = await local.list(`/api/v1/namespaces/${agentName}/secrets`, {
      labelSelector: 'syncagent.kcp.io/object-state=true',
    });
    const result: RunResult = {
      categories,
      claims: claims.map((c) => `${c.group}/${c.resource}`).sort(),
      team,
      log: readFileSync(proc.logFile, 'utf8'),
      stateSecrets: secrets.items.length,
      related,
    };
    writeFileSync(
      artifacts.logFile(`compat-${kind}.json`),
      JSON.stringify({ ...result, log: undefined, categories: Object.fromEntries(categories) }, null, 2),
    );
    return result;
  } finally {
    await proc.stop();
  }
}

describe('compatibility with the upstream agent v0.7.0, measured', function () {
  let upstream: RunResult;
  let ours: RunResult;
  let service: ServiceCluster;

  const both = (id: string): [CategoryResult, CategoryResult] => [
    upstream.categories.get(id)!,
    ours.categories.get(id)!,
  ];

  before(async function () {
    this.timeout(420_000);
    const { artifacts } = suite();
    service = await startServiceCluster(artifacts, uniqueName('svc-compat'));
    const local = await service.client();
    await installCrd(local, readCrd(join(REPO_ROOT, 'crds/syncagent.kcp.io_publishedresources.yaml')));
    for (const group of CRONTAB_GROUPS) await installCrd(local, crontabCrd(group));
    await installCrd(local, readCrd(fixture('crds/gadget-multiversion.yaml')));
    await installCrd(local, readCrd(fixture('crds/tenant-cluster.yaml')));
    try {
      upstream = await runAgent('upstream', local, service, artifacts);
      ours = await runAgent('ours', local, service, artifacts);
    } catch (err) {
      // A failed hook is no failed test to the root hooks: keep the logs here.
      artifacts.markFailed();
      console.log(`server logs kept in ${artifacts.logDir}`);
      throw err;
    }
  });

  after(async function () {
    await service?.stop();
  });

  it('asks consumers for the same permission claims', function () {
    expect(ours.claims).to.deep.equal(upstream.claims);
  });

  for (const c of CATEGORIES.filter((x) => x.difference === undefined)) {
    it(`${c.id}: the same schema, copies and status`, function () {
      const [theirs, mine] = both(c.id);
      expect(mine.copies, 'copies on the service cluster').to.not.be.empty;
      expect(mine.schema, 'APIResourceSchema spec').to.deep.equal(theirs.schema);
      expect(mine.copies, 'copies on the service cluster').to.deep.equal(theirs.copies);
      expect(mine.status, 'status in kcp').to.deep.equal(theirs.status);
    });
  }

  it('names schemas v<8 hex>.<plural>.<group> like upstream, with another hash', function () {
    // docs/compatibility.md, "Schema names": we hash canonical JSON of the
    // schema spec, upstream Go's JSON of the CRD spec; same format, same content.
    for (const c of CATEGORIES) {
      const [theirs, mine] = both(c.id);
      const suffix = (n: string): string => n.replace(/^v[0-9a-f]{8}\./, '');
      expect(mine.schemaName, c.id).to.match(/^v[0-9a-f]{8}\./);
      expect(theirs.schemaName, c.id).to.match(/^v[0-9a-f]{8}\./);
      expect(suffix(mine.schemaName), c.id).to.equal(suffix(theirs.schemaName));
    }
  });

  it('keeps the last-known state on the copy, where upstream keeps a Secret per object', function () {
    // docs/compatibility.md, "Last-known state".
    const count = (r: RunResult): number => [...r.categories.values()].reduce((n, x) => n + x.copies.length, 0);
    const annotated = (r: RunResult): number => [...r.categories.values()].reduce((n, x) => n + x.copiesWithState, 0);
    expect(annotated(ours)).to.equal(count(ours));
    expect(ours.stateSecrets).to.equal(0);
    expect(annotated(upstream)).to.equal(0);
    expect(upstream.stateSecrets).to.equal(count(upstream));
  });

  it('ConfigMap: the same copies and the same schema, but for upstream\'s empty "subresources"', function () {
    const [theirs, mine] = both('ConfigMap');
    expect(mine.copies).to.not.be.empty;
    expect(mine.copies).to.deep.equal(theirs.copies);
    expect(mine.status).to.deep.equal(theirs.status);
    // docs/compatibility.md, "Measured against upstream v0.7.0": for a type
    // without status or scale, upstream writes `subresources: {}` into the
    // schema version, we leave it out. Same meaning for kcp.
    type Versions = { versions: Record<string, unknown>[] };
    expect((theirs.schema as Versions).versions.map((v) => v['subresources'])).to.deep.equal([{}]);
    expect((mine.schema as Versions).versions.map((v) => v['subresources'])).to.deep.equal([undefined]);
    const withoutEmpty = (schema: unknown): unknown => {
      const copy = structuredClone(schema) as Versions;
      for (const v of copy.versions) delete v['subresources'];
      return copy;
    };
    expect(withoutEmpty(mine.schema)).to.deep.equal(withoutEmpty(theirs.schema));
  });

  it("cluster-scoped copies under default naming: ours puts the logical cluster in front of upstream's name", function () {
    const [theirs, mine] = both('cluster-scoped type, default naming');
    expect(mine.schema).to.deep.equal(theirs.schema);
    expect(mine.status).to.deep.equal(theirs.status);
    // docs/compatibility.md, "Cluster-scoped local CRDs, default name":
    // upstream's name has no cluster in it, so two workspaces collide.
    expect(theirs.copies.map((o) => o.metadata.name)).to.deep.equal([`${sha3('default')}-${sha3('account-initech')}`]);
    expect(mine.copies.map((o) => o.metadata.name)).to.deep.equal([
      `<cluster>-${sha3('default')}-${sha3('account-initech')}`,
    ]);
    const renamed = mine.copies.map((o) => ({
      ...o,
      metadata: { ...o.metadata, name: o.metadata.name?.replace(/^<cluster>-/, '') },
    }));
    expect(renamed).to.deep.equal(theirs.copies);
  });

  it('cluster-scoped consumer objects under default naming: upstream cannot name the copy, ours hashes the empty namespace', function () {
    const [theirs, mine] = both('namespaced type projected to Cluster');
    expect(mine.schema).to.deep.equal(theirs.schema);
    // docs/compatibility.md, "Measured against upstream v0.7.0": upstream's
    // default name pipes .Object.metadata.namespace, missing on a
    // cluster-scoped object, into sha3short, which fails on every try.
    expect(theirs.copies).to.deep.equal([]);
    expect(theirs.status).to.deep.equal({ '/global-audit': null });
    expect(upstream.log).to.match(
      /failed to generate local object name: invalid name naming: .*sha3short.*invalid value; expected string/,
    );
    expect(mine.copies.map((o) => [o.metadata.namespace, o.metadata.name])).to.deep.equal([
      ['<cluster>', `${sha3('')}-${sha3('global-audit')}`],
    ]);
    expect(mine.status).to.deep.equal({ '/global-audit': CRONTAB_STATUS });
  });

  it('mutation templates: upstream HTML-escapes the output and prints integers as floats from the second rule on', function () {
    const [theirs, mine] = both('mutation edge cases');
    expect(mine.schema).to.deep.equal(theirs.schema);
    expect(mine.status).to.deep.equal(theirs.status);
    // docs/mutations.md, "Differences from the upstream agent" (listed in
    // docs/compatibility.md): upstream parses mutation templates with
    // html/template and round-trips the object through JSON between rules.
    const spec = (r: CategoryResult): unknown => r.copies.map((o) => o['spec']);
    expect(spec(theirs)).to.deep.equal([
      { image: 'backup&lt;1&gt;-pinned', cronSpec: '@daily x1e&#43;06', replicas: 1000000, concurrencyPolicy: 'Allow' },
    ]);
    expect(spec(mine)).to.deep.equal([
      { image: 'backup<1>-pinned', cronSpec: '@daily x1000000', replicas: 1000000, concurrencyPolicy: 'Allow' },
    ]);
    const withoutSpec = (r: CategoryResult): unknown => r.copies.map((o) => ({ ...o, spec: undefined }));
    expect(withoutSpec(mine)).to.deep.equal(withoutSpec(theirs));
  });
  it("related resources: the record on the CronTab names each copy in kcp and the origin's type, as upstream's", function () {
    // A CronTab an upstream agent synced is taken over without duplicates only
    // if both agents read these annotations alike (docs/compatibility.md).
    expect(ours.related.recorded).to.deep.equal(upstream.related.recorded);
    expect(upstream.related.recorded).to.deep.equal({
      'credentials.0': { apiVersion: 'v1', kind: 'Secret', name: 'my-credentials', namespace: 'default' },
      'bundle.0': { apiVersion: 'v1', kind: 'ConfigMap', name: 'ca-bundle', namespace: 'default' },
    });
  });

  it('related resources: the same objects on both sides; ours adds an owner and a state annotation and the RelatedResourcesSynced condition', function () {
    // docs/compatibility.md, "Related resources, measured".
    const [theirs, mine] = [upstream.related, ours.related];
    expect(mine.secretInKcp, "the operator's Secret in kcp").to.deep.equal(theirs.secretInKcp);
    expect(mine.bundleInKcp, "the operator's ConfigMap as a Secret in kcp").to.deep.equal(theirs.bundleInKcp);
    expect(mine.secretOrigin, "the operator's Secret itself").to.deep.equal(theirs.secretOrigin);
    // The one difference: each agent of ours has its own finalizer (docs/adr, per-agent finalizer).
    expect(theirs.configMapOrigin.metadata.finalizers).to.deep.equal(['syncagent.kcp.io/cleanup']);
    expect(mine.configMapOrigin, "the consumer's ConfigMap itself, with the agent's cleanup finalizer").to.deep.equal({
      ...theirs.configMapOrigin,
      metadata: { ...theirs.configMapOrigin.metadata, finalizers: ['syncagent.kcp.io/cleanup-<agent>'] },
    });
    expect(mine.configMapOnService.metadata.annotations?.[RELATED_OWNER]).to.equal(
      `ours-publish-related-crontabs/<cluster>|default|${RELATED_OBJECT}`,
    );
    expect(
      withoutAnnotation(mine.configMapOnService, RELATED_OWNER),
      "the consumer's ConfigMap on the service cluster",
    ).to.deep.equal(theirs.configMapOnService);

    const [theirCopy, myCopy] = both('related resources');
    expect(myCopy.schema).to.deep.equal(theirCopy.schema);
    const state = JSON.parse(myCopy.copies[0]?.metadata.annotations?.[RELATED_STATE] ?? '{}') as Record<
      string,
      unknown
    >;
    expect(Object.keys(state).sort()).to.deep.equal([
      'bundle/default/ca-bundle',
      'credentials/default/my-credentials',
      `settings/default/${RELATED_OBJECT}-settings`,
    ]);
    expect(myCopy.copies.map((c) => withoutAnnotation(c, RELATED_STATE))).to.deep.equal(theirCopy.copies);
    type Conditions = Record<string, { conditions: { type: string; status: string; reason?: string }[] }>;
    const [myStatus, theirStatus] = [myCopy.status as Conditions, theirCopy.status as Conditions];
    const key = `default/${RELATED_OBJECT}`;
    expect(myStatus[key]?.conditions.find((c) => c.type === 'RelatedResourcesSynced')).to.include({
      status: 'True',
      reason: 'Synced',
    });
    const withoutRelated = {
      ...myStatus[key],
      conditions: myStatus[key]?.conditions.filter((c) => c.type !== 'RelatedResourcesSynced'),
    };
    expect(withoutRelated).to.deep.equal(theirStatus[key]);
  });
});
