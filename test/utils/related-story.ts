// The stage for one related-resources story: a provider workspace with its own
// agent and APIExport, consumer workspaces bound to it, and the PublishedResources
// the story needs. Stories of one test file share a service cluster (started
// once, it is the slow part) but never an agent, an export or a workspace, so
// each `it` starts from nothing and reads on its own.
import { join } from 'node:path';
import type { PermissionClaim } from '../../src/apis/kcp.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { startAgent, waitAgentReady } from './agent.ts';
import {
  type ClaimDecision,
  type Workspace,
  applyObject,
  bindWithClaims,
  createWorkspace,
  grantAgentAccess,
  uniqueName,
} from './kcp-fixtures.ts';
import type { ManagedProcess } from './processes.ts';
import { installCrd, readCrd } from './service-fixtures.ts';
import { type ServiceCluster, startServiceCluster } from './service-cluster.ts';
import { suite } from './suite.ts';
import { REPO_ROOT } from './tools.ts';
import { prepareUpstreamExport, startUpstreamAgent } from './upstream-agent.ts';
import { waitFor } from './wait.ts';

const APIS_V1A2 = '/apis/apis.kcp.io/v1alpha2';
const AGENT_NAMESPACE = 'api-syncagent';
/** The label that ties a PublishedResource to the agent of one story. */
export const STORY_LABEL = 'e2e.syncagent.kcp.io/story';

/** The agent name of a story (its `--agent-name`). */
export const storyAgentName = (id: string): string => `rel-${id}`;

/** What the stories of one test file share. */
export interface RelatedBed {
  readonly service: ServiceCluster;
  /** Admin on the service cluster; the test plays the service operator with it. */
  readonly local: RestClient;
  /** The organisation workspace the stories' workspaces live in. */
  readonly org: Workspace;
  stop(): Promise<void>;
}

/** Starts the service cluster with the test CRDs and creates the organisation workspace. */
async function startRelatedBed(name: string): Promise<RelatedBed> {
  const { kcp, artifacts } = suite();
  const service = await startServiceCluster(artifacts, uniqueName(`svc-${name}`));
  const local = await service.client();
  await installCrd(local, readCrd(join(REPO_ROOT, 'crds/syncagent.kcp.io_publishedresources.yaml')));
  for (const crd of ['crontab.yaml', 'certificate.yaml', 'backup.yaml']) {
    await installCrd(local, readCrd(join(REPO_ROOT, 'test/fixtures/crds', crd)));
  }
  await local.create('/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: AGENT_NAMESPACE },
  });
  const org = await createWorkspace(kcp, 'root', uniqueName(name));
  return { service, local, org, stop: () => service.stop() };
}

/** A consumer workspace and an admin client inside it. */
export interface Consumer {
  readonly ws: Workspace;
  readonly client: RestClient;
}

export interface StoryOptions {
  /** Short, unique within the file: names the agent, the export and the workspaces. */
  readonly id: string;
  readonly publishedResources: readonly KubeObject[];
  /** How many consumer workspaces bind the export (default 1). */
  readonly consumers?: number;
  /** Claims (`<group>/<resource>`) the export must ask for before consumers bind. */
  readonly expectClaims?: readonly string[];
  /** A consumer-side collection that must be served before the story goes on. */
  readonly probe?: string;
  /** Whether the consumers accept each claim (default: all accepted). */
  readonly decideClaims?: ClaimDecision;
  /** Other exports the consumers bind first (all their claims accepted). */
  readonly alsoBind?: readonly { path: string; name: string }[];
  /** Which agent runs the story (default ours); upstream v0.7.0 to measure against. */
  readonly agent?: 'ours' | 'upstream';
}

export interface Story {
  readonly agentName: string;
  readonly exportName: string;
  readonly provider: Workspace;
  readonly providerAdmin: RestClient;
  readonly consumers: readonly Consumer[];
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Sets a story up: provider workspace, agent, PublishedResources, the export
 * with the expected claims, and consumers bound to it with the API served.
 */
async function startStory(bed: RelatedBed, opts: StoryOptions): Promise<Story> {
  const { kcp } = suite();
  const agentName = storyAgentName(opts.id);
  const exportName = `${opts.id}.related.example.com`;
  const provider = await createWorkspace(kcp, bed.org.path, `${opts.id}-provider`);
  const providerAdmin = await kcp.client('admin', provider.path);
  for (const pr of opts.publishedResources) await applyObject(bed.local, labelled(pr, opts.id));
  const { process: agentProcess, ready } = await startStoryAgent(bed, opts, provider, exportName);
  const stop = async (): Promise<void> => {
    await agentProcess.stop();
    for (const pr of opts.publishedResources)
      await bed.local
        .delete(`/apis/syncagent.kcp.io/v1alpha1/publishedresources/${pr.metadata.name ?? ''}`)
        .catch(() => undefined);
  };
  try {
    await ready();
    const claims = await waitExport(providerAdmin, exportName, opts);
    const consumers: Consumer[] = [];
    for (let i = 0; i < (opts.consumers ?? 1); i += 1) {
      const ws = await createWorkspace(kcp, bed.org.path, `${opts.id}-team-${i + 1}`);
      const client = await kcp.client('admin', ws.path);
      for (const other of opts.alsoBind ?? [])
        await bindWithClaims(client, other, await exportClaims(await kcp.client('admin', other.path), other.name));
      await bindWithClaims(client, { path: provider.path, name: exportName }, claims, opts.decideClaims);
      if (opts.probe !== undefined) {
        const probe = opts.probe;
        await waitFor(`${probe} in ${ws.path}`, () => client.list(probe), { timeoutMs: 60_000 });
      }
      consumers.push({ ws, client });
    }
    return { agentName, exportName, provider, providerAdmin, consumers, process: agentProcess, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Starts the story's agent (ours, or upstream's with what it needs in kcp first). */
async function startStoryAgent(
  bed: RelatedBed,
  opts: StoryOptions,
  provider: Workspace,
  exportName: string,
): Promise<{ process: ManagedProcess; ready: () => Promise<void> }> {
  const { kcp, artifacts } = suite();
  const setup = {
    name: storyAgentName(opts.id),
    kcp,
    providerPath: provider.path,
    exportName,
    service: bed.service,
    namespace: AGENT_NAMESPACE,
    extraArgs: [`--published-resource-selector=${STORY_LABEL}=${opts.id}`],
  };
  if (opts.agent === 'upstream') {
    await prepareUpstreamExport(kcp, provider.path, exportName);
    // Upstream exits when the endpoint slice kcp makes for the new export is not there yet.
    const admin = await kcp.client('admin', provider.path);
    await waitFor(`the endpoint slice of ${exportName}`, () =>
      admin.get(`/apis/apis.kcp.io/v1alpha1/apiexportendpointslices/${exportName}`),
    );
    // Upstream serves no health endpoint here; the export check that follows is the readiness signal.
    return { process: startUpstreamAgent(artifacts, setup).process, ready: () => Promise.resolve() };
  }
  await grantAgentAccess(kcp, provider.path, exportName);
  const agent = await startAgent(artifacts, setup);
  return { process: agent.process, ready: () => waitAgentReady(agent) };
}

function labelled(pr: KubeObject, id: string): KubeObject {
  return { ...pr, metadata: { ...pr.metadata, labels: { ...pr.metadata.labels, [STORY_LABEL]: id } } };
}

async function exportClaims(client: RestClient, name: string): Promise<PermissionClaim[]> {
  const exp = await client.get(`${APIS_V1A2}/apiexports/${name}`);
  return (exp['spec'] as { permissionClaims?: PermissionClaim[] }).permissionClaims ?? [];
}

/** Waits until the agent's export serves a resource for every syncing PublishedResource and asks for the expected claims. */
async function waitExport(
  providerAdmin: RestClient,
  exportName: string,
  opts: StoryOptions,
): Promise<PermissionClaim[]> {
  const want = opts.expectClaims ?? [];
  return waitFor(
    `export ${exportName} with its resources and the claims ${want.join(', ')}`,
    async () => {
      const exp = await providerAdmin.get(`${APIS_V1A2}/apiexports/${exportName}`);
      const spec = exp['spec'] as { resources?: unknown[]; permissionClaims?: PermissionClaim[] };
      const claims = spec.permissionClaims ?? [];
      const have = new Set(claims.map((c) => `${c.group}/${c.resource}`));
      return (spec.resources ?? []).length >= opts.publishedResources.length && want.every((c) => have.has(c))
        ? claims
        : undefined;
    },
    { timeoutMs: 90_000 },
  );
}

/**
 * The stage of one test file of stories: registers the file's hooks (the bed
 * is started before the first story; every story is stopped after its test;
 * the bed after the last) and starts stories on it.
 */
export class StoryStage {
  #bed: RelatedBed | undefined;
  #running: Story[] = [];

  constructor(name: string) {
    const started = (bed: RelatedBed): void => {
      this.#bed = bed;
    };
    before(async function (this: Mocha.Context) {
      this.timeout(120_000);
      started(await startRelatedBed(name));
    });
    afterEach(async () => {
      for (const story of this.#running.splice(0)) await story.stop();
    });
    after(async () => {
      await this.#bed?.stop();
    });
  }

  get bed(): RelatedBed {
    if (this.#bed === undefined) throw new Error('the service cluster of this file is not started yet');
    return this.#bed;
  }

  /** Admin on the service cluster; the test plays the service operator with it. */
  get local(): RestClient {
    return this.bed.local;
  }

  /**
   * Stops the story's agent and starts ours in its place, with the same
   * agent name, export and PublishedResources: a takeover from upstream.
   */
  async takeOver(story: Story, opts: StoryOptions): Promise<void> {
    await story.process.stop();
    const ours = await startStoryAgent(this.bed, { ...opts, agent: 'ours' }, story.provider, story.exportName);
    this.#running.push({ ...story, process: ours.process, stop: () => ours.process.stop() });
    await ours.ready();
  }

  /** Starts a story that is stopped after the current test. */
  async start(opts: StoryOptions): Promise<Story> {
    const story = await startStory(this.bed, opts);
    this.#running.push(story);
    return story;
  }
}
