/**
 * Command-line flags → one frozen, validated Options object. This is the only
 * place that reads flags or the environment. Flag names and defaults follow
 * the upstream agent, so its Deployment arguments work unchanged.
 */

import { parseSelector } from './translate/label-selector.ts';

export const CONTROLLERS = ['apiresourceschema', 'apiexport', 'sync'] as const;
export type ControllerName = (typeof CONTROLLERS)[number];

export interface Options {
  readonly kubeconfig: string | undefined;
  readonly kubeconfigHostOverride: string | undefined;
  readonly kubeconfigCAFileOverride: string | undefined;
  readonly kcpKubeconfig: string;
  readonly apiExportEndpointSliceRef: string;
  readonly apiExportRef: string;
  readonly namespace: string;
  readonly agentName: string;
  readonly publishedResourceSelector: string;
  readonly enableLeaderElection: boolean;
  /** Replicas split the endpoint slice's URLs (one kcp shard each) with one Lease per URL. */
  readonly splitEndpoints: boolean;
  readonly metricsAddress: string | undefined;
  readonly healthAddress: string | undefined;
  readonly disabledControllers: ReadonlySet<ControllerName>;
  readonly logFormat: 'JSON' | 'Console';
  readonly logDebug: boolean;
  readonly kcpQps: number;
  readonly kcpBurst: number;
  readonly serviceQps: number;
  readonly serviceBurst: number;
  readonly syncWorkers: number;
  readonly eventQps: number;
  readonly eventBurst: number;
  /** Share of the heap limit at which the agent warns of memory pressure. */
  readonly memoryPressureThreshold: number;
}

/** A flag problem: main prints it with the usage and exits 2, before any write. */
export class OptionsError extends Error {
  override readonly name = 'OptionsError';
}

type Kind = 'string' | 'bool' | 'list' | 'number';

const FLAGS: Record<string, { kind: Kind; help: string }> = {
  kubeconfig: {
    kind: 'string',
    help: 'kubeconfig of the service cluster (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)',
  },
  'kubeconfig-host-override': { kind: 'string', help: 'replace the service-cluster host from the kubeconfig' },
  'kubeconfig-ca-file-override': { kind: 'string', help: 'replace the service-cluster CA from the kubeconfig' },
  'kcp-kubeconfig': {
    kind: 'string',
    help: 'kubeconfig for kcp, pointing into the workspace of the APIExport (…/clusters/<workspace>); required',
  },
  'apiexportendpointslice-ref': {
    kind: 'string',
    help: 'name of the APIExportEndpointSlice to sync through (default: the APIExport name)',
  },
  'apiexport-ref': {
    kind: 'string',
    help: 'name of the APIExport the agent maintains, created when missing (default: the endpoint slice name)',
  },
  namespace: { kind: 'string', help: 'service-cluster namespace of the agent (leader-election lease); required' },
  'agent-name': {
    kind: 'string',
    help: 'unique name of this agent, a DNS-1035 label; do not change it later (default: <slice>-syncagent)',
  },
  'published-resource-selector': { kind: 'string', help: 'label selector: only handle PublishedResources that match' },
  'enable-leader-election': { kind: 'bool', help: 'run only while holding the leader lease' },
  'split-endpoints': {
    kind: 'bool',
    help: 'replicas split the virtual-workspace URLs (one per kcp shard) between them, one Lease per URL; not with --enable-leader-election',
  },
  'metrics-address': { kind: 'string', help: 'host:port for /metrics; 0 disables (default 127.0.0.1:8085)' },
  'health-address': { kind: 'string', help: 'host:port for /healthz and /readyz; empty or 0 disables' },
  'disabled-controllers': {
    kind: 'list',
    help: `controllers not to run (comma-separated or repeated): ${CONTROLLERS.join(', ')}`,
  },
  'log-format': { kind: 'string', help: 'JSON or Console (default JSON)' },
  'log-debug': { kind: 'bool', help: 'log at debug level' },
  'kcp-qps': { kind: 'number', help: 'requests per second to kcp (default 200; 0 = unlimited)' },
  'kcp-burst': { kind: 'number', help: 'request burst to kcp (default 400)' },
  'service-qps': { kind: 'number', help: 'requests per second to the service cluster (default 200; 0 = unlimited)' },
  'service-burst': { kind: 'number', help: 'request burst to the service cluster (default 400)' },
  'sync-workers': { kind: 'number', help: 'parallel reconciles per PublishedResource (default 64)' },
  'event-qps': {
    kind: 'number',
    help: 'Events written per second, out of the kcp budget the sync leaves over (default 20; 0 = no limit of their own)',
  },
  'event-burst': { kind: 'number', help: 'Event burst (default 50)' },
  'memory-pressure-threshold': {
    kind: 'number',
    help: 'share of the heap limit above which the agent warns (MemoryPressure event; default 0.85)',
  },
};

/** The flag reference, for --help and errors. */
export function usage(): string {
  const lines = Object.entries(FLAGS).map(
    ([name, f]) => `  --${name}${f.kind === 'bool' ? '' : ' <value>'}\n      ${f.help}`,
  );
  return `Usage: api-syncagent [flags]\n       api-syncagent render --help   (preview a PublishedResource offline)\n\nFlags:\n${lines.join('\n')}\n`;
}

type Raw = Map<string, string[]>;

/** Parses argv (without node and script). Throws OptionsError. */
export function parseOptions(argv: readonly string[]): Options {
  return validate(readFlags(argv));
}

function readFlags(argv: readonly string[]): Raw {
  const raw: Raw = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const m = /^--?([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (m === null) throw new OptionsError(`unexpected argument "${arg}"`);
    const name = m[1] ?? '';
    const flag = FLAGS[name];
    if (flag === undefined) throw new OptionsError(`unknown flag --${name}`);
    let value = m[2];
    if (value === undefined && flag.kind === 'bool') value = 'true';
    if (value === undefined) {
      value = argv[i + 1];
      i++;
      if (value === undefined) throw new OptionsError(`flag --${name} needs a value`);
    }
    raw.set(name, [...(raw.get(name) ?? []), value]);
  }
  return raw;
}

const DNS1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS1123 = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function validate(raw: Raw): Options {
  const str = (name: string): string | undefined => {
    const v = raw.get(name)?.at(-1);
    return v === undefined || v === '' ? undefined : v;
  };
  const kcpKubeconfig = required(str('kcp-kubeconfig'), 'kcp-kubeconfig');
  const namespace = required(str('namespace'), 'namespace');
  if (!DNS1123.test(namespace)) throw new OptionsError(`--namespace "${namespace}" is not a valid namespace name`);
  const sliceRef = str('apiexportendpointslice-ref');
  const exportRef = str('apiexport-ref');
  if (sliceRef === undefined && exportRef === undefined) {
    throw new OptionsError('one of --apiexportendpointslice-ref or --apiexport-ref is required');
  }
  const slice = sliceRef ?? exportRef ?? '';
  const agentName = str('agent-name') ?? `${slice}-syncagent`;
  if (!DNS1035.test(agentName)) {
    throw new OptionsError(
      `--agent-name "${agentName}" must be a DNS-1035 label (lower-case letters, digits and '-', starting with a letter, at most 63 characters)`,
    );
  }
  return Object.freeze({
    kubeconfig: str('kubeconfig'),
    kubeconfigHostOverride: str('kubeconfig-host-override'),
    kubeconfigCAFileOverride: str('kubeconfig-ca-file-override'),
    kcpKubeconfig,
    apiExportEndpointSliceRef: slice,
    apiExportRef: exportRef ?? slice,
    namespace,
    agentName,
    publishedResourceSelector: selector(str('published-resource-selector') ?? ''),
    enableLeaderElection: bool(raw, 'enable-leader-election'),
    splitEndpoints: splitEndpoints(raw),
    metricsAddress: address(str('metrics-address') ?? '127.0.0.1:8085', 'metrics-address'),
    healthAddress: address(str('health-address'), 'health-address'),
    disabledControllers: controllers(raw.get('disabled-controllers') ?? []),
    logFormat: logFormat(str('log-format')),
    logDebug: bool(raw, 'log-debug'),
    kcpQps: num(str('kcp-qps'), 'kcp-qps', 200, 0),
    kcpBurst: num(str('kcp-burst'), 'kcp-burst', 400, 1),
    serviceQps: num(str('service-qps'), 'service-qps', 200, 0),
    serviceBurst: num(str('service-burst'), 'service-burst', 400, 1),
    syncWorkers: num(str('sync-workers'), 'sync-workers', 64, 1),
    eventQps: num(str('event-qps'), 'event-qps', 20, 0),
    eventBurst: num(str('event-burst'), 'event-burst', 50, 1),
    memoryPressureThreshold: num(str('memory-pressure-threshold'), 'memory-pressure-threshold', 0.85, 0),
  });
}

/** One leader syncs everything, or replicas split the URLs: not both. */
function splitEndpoints(raw: Raw): boolean {
  const split = bool(raw, 'split-endpoints');
  if (split && bool(raw, 'enable-leader-election')) {
    throw new OptionsError(
      '--split-endpoints and --enable-leader-election exclude each other: with --split-endpoints every replica runs and syncs the URLs whose Lease it holds',
    );
  }
  return split;
}

function selector(v: string): string {
  try {
    parseSelector(v);
  } catch (err) {
    throw new OptionsError(`--published-resource-selector: ${err instanceof Error ? err.message : String(err)}`);
  }
  return v;
}

function required(v: string | undefined, name: string): string {
  if (v === undefined) throw new OptionsError(`--${name} is required`);
  return v;
}

// Go's strconv.ParseBool spellings, so upstream's Deployment arguments parse.
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function bool(raw: Raw, name: string): boolean {
  const v = raw.get(name)?.at(-1);
  if (v === undefined) return false;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new OptionsError(`--${name} takes true or false, got "${v}"`);
}

function num(v: string | undefined, name: string, def: number, min: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new OptionsError(`--${name} must be a number ≥ ${min}, got "${v}"`);
  return n;
}

/** host:port, or undefined when disabled ("" or "0"). */
function address(v: string | undefined, name: string): string | undefined {
  if (v === undefined || v === '0') return undefined;
  const m = /^(.*):(\d{1,5})$/.exec(v);
  if (m === null || Number(m[2]) > 65535)
    throw new OptionsError(`--${name} must be host:port (or 0 to disable), got "${v}"`);
  return v;
}

function controllers(values: string[]): ReadonlySet<ControllerName> {
  const out = new Set<ControllerName>();
  for (const v of values
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const known = CONTROLLERS.find((c) => c === v);
    if (known === undefined)
      throw new OptionsError(`--disabled-controllers: unknown controller "${v}" (known: ${CONTROLLERS.join(', ')})`);
    out.add(known);
  }
  return out;
}

function logFormat(v: string | undefined): 'JSON' | 'Console' {
  if (v === undefined || v.toLowerCase() === 'json') return 'JSON';
  if (v.toLowerCase() === 'console') return 'Console';
  throw new OptionsError(`--log-format must be JSON or Console, got "${v}"`);
}
