// Workspaces and bindings in bulk, through one kcp admin client (one
// connection pool): everything is created with bounded parallelism first,
// then readiness is polled in rounds (a list per parent for workspaces), so
// the polling itself does not load kcp.
import type { PermissionClaim } from '../src/apis/kcp.ts';
import { isAlreadyExists } from '../src/kube/errors.ts';
import type { RestClient } from '../src/kube/rest-client.ts';
import { conditionTrue } from '../test/utils/kcp-fixtures.ts';
import { SHARD_LABEL } from '../test/utils/sharded-kcp.ts';
import { waitFor } from '../test/utils/wait.ts';
import { pool, retryTransport } from './util.ts';

export interface BenchWorkspace {
  readonly name: string;
  readonly path: string;
  /** Logical cluster name. */
  readonly cluster: string;
}

const TENANCY = '/apis/tenancy.kcp.io/v1alpha1/workspaces';
const BINDINGS = '/apis/apis.kcp.io/v1alpha2/apibindings';
/**
 * kcp initialises workspaces and bindings one by one: on 2 cores about 0.7 s
 * per workspace and 0.35 s per binding. The wait scales with the count.
 */
const readyTimeoutMs = (count: number): number => Math.max(300_000, count * 2_000);
/**
 * Polling must not become the load: one list of 1,000 workspaces is several
 * MB that kcp assembles per request (measured: polling it every 250 ms kept
 * 1,000 new workspaces in Scheduling for minutes). So rounds slow down with
 * the count.
 */
const pollMs = (count: number): number => Math.min(5_000, Math.max(250, count * 5));

const at = (kcpAdmin: RestClient, path: string): RestClient =>
  kcpAdmin.forServer(`${kcpAdmin.server}/clusters/${path}`);
const ignoreExists = (err: unknown): void => {
  if (!isAlreadyExists(err)) throw err;
};

/** The workspace's location selector when it is pinned to a shard of the sharded kcp. */
const location = (shard: string | undefined): object =>
  shard === undefined ? {} : { spec: { location: { selector: { matchLabels: { [SHARD_LABEL]: shard } } } } };

/**
 * Creates workspaces under parentPath and waits until all are Ready; returned
 * in the order of names. `shardOf` pins a workspace to a shard (sharded kcp).
 */
export async function createWorkspaces(
  kcpAdmin: RestClient,
  parentPath: string,
  names: readonly string[],
  how: { readonly concurrency: number; readonly shardOf?: (index: number) => string | undefined },
): Promise<BenchWorkspace[]> {
  const { concurrency, shardOf = () => undefined } = how;
  const parent = at(kcpAdmin, parentPath);
  await pool([...names.entries()], concurrency, ([i, name]) =>
    retryTransport(() =>
      parent.create(TENANCY, {
        apiVersion: 'tenancy.kcp.io/v1alpha1',
        kind: 'Workspace',
        metadata: { name },
        ...location(shardOf(i)),
      }),
    ).catch(ignoreExists),
  );
  const wanted = new Set(names);
  const clusters = new Map<string, string>();
  await waitFor(
    `${names.length} workspaces under ${parentPath} to be Ready`,
    async () => {
      for (const ws of (await parent.list(TENANCY)).items) {
        const phase = (ws['status'] as { phase?: string } | undefined)?.phase;
        const cluster = (ws['spec'] as { cluster?: string } | undefined)?.cluster;
        const name = ws.metadata.name ?? '';
        if (wanted.has(name) && phase === 'Ready' && cluster !== undefined) clusters.set(name, cluster);
      }
      return clusters.size === wanted.size ? true : undefined;
    },
    { timeoutMs: readyTimeoutMs(names.length), intervalMs: pollMs(names.length) },
  );
  return names.map((name) => ({ name, path: `${parentPath}:${name}`, cluster: clusters.get(name)! }));
}

export interface ExportRef {
  readonly path: string;
  readonly name: string;
  readonly claims: readonly PermissionClaim[];
}

async function createBinding(kcpAdmin: RestClient, ws: BenchWorkspace, ref: ExportRef): Promise<void> {
  await retryTransport(() =>
    at(kcpAdmin, ws.path).create(BINDINGS, {
      apiVersion: 'apis.kcp.io/v1alpha2',
      kind: 'APIBinding',
      metadata: { name: ref.name },
      spec: {
        reference: { export: { path: ref.path, name: ref.name } },
        permissionClaims: ref.claims.map((c) => ({ ...c, selector: { matchAll: true }, state: 'Accepted' })),
      },
    }),
  ).catch(ignoreExists);
}

async function bindingReady(kcpAdmin: RestClient, ws: BenchWorkspace, ref: ExportRef): Promise<boolean> {
  return conditionTrue(await at(kcpAdmin, ws.path).get(`${BINDINGS}/${ref.name}`), 'Ready');
}

/** Binds an export into a workspace, accepting its claims, and waits for the binding to be Ready. */
export async function bindExport(
  kcpAdmin: RestClient,
  ws: BenchWorkspace,
  ref: ExportRef,
  pollMs = 100,
): Promise<void> {
  await createBinding(kcpAdmin, ws, ref);
  await waitFor(
    `APIBinding ${ref.name} in ${ws.path} to be Ready`,
    async () => ((await bindingReady(kcpAdmin, ws, ref)) ? true : undefined),
    { timeoutMs: 120_000, intervalMs: pollMs },
  );
}

/** Binds every export into every workspace, then waits (polling in rounds) until all bindings are Ready. */
export async function bindAll(
  kcpAdmin: RestClient,
  workspaces: readonly BenchWorkspace[],
  refs: readonly ExportRef[],
  concurrency: number,
): Promise<void> {
  let pending = workspaces.flatMap((ws) => refs.map((ref) => ({ ws, ref })));
  await pool(pending, concurrency, ({ ws, ref }) => createBinding(kcpAdmin, ws, ref));
  await waitFor(
    `${pending.length} APIBindings to be Ready`,
    async () => {
      const ready = await pool(pending, concurrency, ({ ws, ref }) =>
        bindingReady(kcpAdmin, ws, ref).catch(() => false),
      );
      pending = pending.filter((_, i) => !ready[i]);
      return pending.length === 0 ? true : undefined;
    },
    { timeoutMs: readyTimeoutMs(pending.length), intervalMs: pollMs(pending.length) },
  );
}
