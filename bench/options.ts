// Command-line flags of `make bench` (node bench/run.ts …).
import { parseArgs } from 'node:util';
import { CURVE_FLAGS, CURVE_USAGE, type CurveOptions, parseCurveFlags } from './curve-options.ts';

export const AGENT_KINDS = ['upstream', 'ours', 'ours-limited'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

export interface BenchOptions {
  /** Consumer workspaces bound to every export. */
  readonly workspaces: number;
  /** Objects per workspace for the initial sync. */
  readonly objects: number;
  /** Objects per second during the steady phase. */
  readonly rate: number;
  readonly steadySeconds: number;
  /** Objects the noisy tenant creates. */
  readonly noisy: number;
  /** Agents the noisy-neighbour phase runs for. */
  readonly noisyAgents: readonly AgentKind[];
  /** Longest the noisy phase may last (the quiet tenant is measured meanwhile). */
  readonly noisyMaxSeconds: number;
  /** How long the quiet tenant is measured alone before the noise. */
  readonly quietSeconds: number;
  /** New workspaces bound while each agent runs (first copy after a binding). */
  readonly firstBinds: number;
  readonly agents: readonly AgentKind[];
  readonly out: string;
  /** Skip the bare-client limit. */
  readonly skipLimit: boolean;
  /** Longest wait for an agent's initial sync; past it the agent's other phases are skipped. */
  readonly initialTimeoutSeconds: number;
  /** Parallel requests of the bare client while setting up. */
  readonly concurrency: number;
  /** Parallel requests of the bare client in the limit phase. */
  readonly limitConcurrency: number;
  /** kcp shards: 1 (one kcp process) or 2 (front-proxy, cache server, two shards). */
  readonly shards: 1 | 2;
  /** Agents asked for but not run (upstream on a sharded kcp), with why; the table says so. */
  readonly skippedAgents: readonly { readonly kind: AgentKind; readonly why: string }[];
  /** Set with --memory-curve: the run measures the memory/CPU curve instead of the table. */
  readonly curve?: CurveOptions;
}

/**
 * Measured: upstream v0.7.0, given the front-proxy as its kcp, exits at once:
 * resolving its endpoint slice's workspace it gets logicalclusters "cluster"
 * forbidden for its user (the same grants work on the one-shard kcp).
 */
const UPSTREAM_SHARDED =
  "exits on the sharded kcp: 'logicalclusters cluster is forbidden' resolving its endpoint slice through the front-proxy";

/** The agents that run, and the ones skipped on this kcp. */
export function runnableAgents(
  agents: readonly AgentKind[],
  shards: 1 | 2,
): { agents: AgentKind[]; skippedAgents: { kind: AgentKind; why: string }[] } {
  if (shards === 1) return { agents: [...agents], skippedAgents: [] };
  return {
    agents: agents.filter((a) => a !== 'upstream'),
    skippedAgents: agents.includes('upstream') ? [{ kind: 'upstream', why: UPSTREAM_SHARDED }] : [],
  };
}

const USAGE = `Usage: node bench/run.ts [flags]
  --workspaces N        consumer workspaces (default 1000)
  --objects N           objects per workspace for the initial sync (default 10)
  --rate N              objects/s in the steady phase (default 20)
  --steady-seconds N    length of the steady phase (default 30)
  --noisy N             objects the noisy tenant creates (default 5000)
  --noisy-agents LIST   agents the noisy-neighbour phase runs for (default ours)
  --noisy-max-seconds N longest noisy phase (default 60)
  --quiet-seconds N     quiet tenant measured alone first (default 10)
  --first-binds N       workspaces bound while each agent runs (default 3)
  --agents LIST         comma list of upstream,ours,ours-limited (default all)
  --out DIR             where results go (default bench/results)
  --initial-timeout N   longest wait (s) for an agent's initial sync (default max(300, min(W×N/2, 3600)));
                        an agent that misses it is stopped, its progress reported
  --skip-limit          do not measure the bare-client limit
  --concurrency N       parallel requests while setting up (default 16)
  --limit-concurrency N parallel object writers in the limit phase (default 64)
  --shards N            1 (default) or 2: the two-shard kcp behind a front-proxy, consumer
                        workspaces pinned to the shards in turn; implies --skip-limit${CURVE_USAGE}`;

function agentList(text: string, flag: string): AgentKind[] {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const a of list) {
    if (!(AGENT_KINDS as readonly string[]).includes(a))
      throw new Error(`--${flag}: unknown agent '${a}' (known: ${AGENT_KINDS.join(', ')})`);
  }
  return list as AgentKind[];
}

function positive(text: string | undefined, fallback: number, flag: string, min = 1): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${flag} must be a number ≥ ${min}, got '${text}'`);
  return n;
}

function shardCount(text: string | undefined): 1 | 2 {
  if (text === undefined || text === '1') return 1;
  if (text === '2') return 2;
  throw new Error(`--shards must be 1 or 2 (the harness starts at most two shards), got '${text}'`);
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      workspaces: { type: 'string' },
      objects: { type: 'string' },
      rate: { type: 'string' },
      'steady-seconds': { type: 'string' },
      noisy: { type: 'string' },
      'noisy-agents': { type: 'string' },
      'noisy-max-seconds': { type: 'string' },
      'quiet-seconds': { type: 'string' },
      'first-binds': { type: 'string' },
      agents: { type: 'string' },
      out: { type: 'string' },
      'skip-limit': { type: 'boolean' },
      concurrency: { type: 'string' },
      'limit-concurrency': { type: 'string' },
      'initial-timeout': { type: 'string' },
      shards: { type: 'string' },
      help: { type: 'boolean' },
      ...CURVE_FLAGS,
    },
    strict: true,
  });
  if (values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  const workspaces = positive(values.workspaces, 1000, 'workspaces', 2);
  const objects = positive(values.objects, 10, 'objects');
  const shards = shardCount(values.shards);
  const curve = parseCurveFlags(values, AGENT_KINDS);
  const defaultAgents = curve === undefined ? AGENT_KINDS.join(',') : 'upstream,ours';
  return {
    workspaces,
    objects,
    rate: positive(values.rate, 20, 'rate'),
    steadySeconds: positive(values['steady-seconds'], 30, 'steady-seconds'),
    noisy: positive(values.noisy, 5000, 'noisy', 0),
    noisyAgents: agentList(values['noisy-agents'] ?? 'ours', 'noisy-agents'),
    noisyMaxSeconds: positive(values['noisy-max-seconds'], 60, 'noisy-max-seconds'),
    quietSeconds: positive(values['quiet-seconds'], 10, 'quiet-seconds'),
    firstBinds: positive(values['first-binds'], 3, 'first-binds', 0),
    ...runnableAgents(agentList(values.agents ?? defaultAgents, 'agents'), shards),
    out: values.out ?? 'bench/results',
    // The bare client writes through one virtual-workspace URL; a sharded kcp has one per shard.
    skipLimit: values['skip-limit'] === true || shards === 2,
    initialTimeoutSeconds: positive(
      values['initial-timeout'],
      Math.max(300, Math.min((workspaces * objects) / 2, 3600)),
      'initial-timeout',
    ),
    concurrency: positive(values.concurrency, 16, 'concurrency'),
    limitConcurrency: positive(values['limit-concurrency'], 64, 'limit-concurrency'),
    shards,
    ...(curve === undefined ? {} : { curve }),
  };
}
