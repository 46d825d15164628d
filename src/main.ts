// Entry point: flags → clients → agent → servers; signals and exit codes.
// Exit codes: 0 after a clean shutdown, 1 when the agent fails, 2 for bad
// flags or configuration (nothing has been written by then).
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type Agent, createAgent } from './agent.ts';
import { AGENT_LEASE_TIMINGS, LeaderElector } from './runtime/leader-election.ts';
import { serve } from './http/servers.ts';
import { parseWorkspaceUrl } from './kcp/workspace-url.ts';
import { connectionFromKubeConfig } from './kube/connection.ts';
import { type KubeConfig, loadKubeConfig } from './kube/kubeconfig.ts';
import { RestClient } from './kube/rest-client.ts';
import { WriteFence } from './kube/write-fence.ts';
import { createLogger, errorChain, type Logger } from './log/logger.ts';
import { RENDER_USAGE, renderCommand } from './render.ts';
import { createAgentMetrics } from './metrics/agent-metrics.ts';
import { type Options, OptionsError, parseOptions, usage } from './options.ts';
import { systemClock } from './runtime/clock.ts';
import { readinessAnswer } from './http/readiness.ts';
import { parseSelector } from './translate/label-selector.ts';

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'render') {
    try {
      return await renderCommand(argv.slice(1), (text) => process.stdout.write(text));
    } catch (err) {
      process.stderr.write(`error: ${errorChain(err)}\n\n${RENDER_USAGE}`);
      return 2;
    }
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage());
    return 0;
  }
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (err) {
    if (!(err instanceof OptionsError)) throw err;
    process.stderr.write(`error: ${err.message}\n\n${usage()}`);
    return 2;
  }
  const logger = createLogger({ format: options.logFormat, debug: options.logDebug });
  let setup: Awaited<ReturnType<typeof connect>>;
  try {
    setup = await connect(options, logger);
  } catch (err) {
    logger.error('Invalid configuration', { error: errorChain(err) });
    return 2;
  }
  return run(options, logger, setup);
}

/** Builds both clients; throws (before any request) when the configuration is unusable. */
async function connect(
  options: Options,
  logger: Logger,
): Promise<{
  service: RestClient;
  kcp: RestClient;
  lease: RestClient;
  fence: WriteFence;
  selector: ReturnType<typeof parseSelector>;
  metrics: ReturnType<typeof createAgentMetrics>;
}> {
  const selector = parseSelector(options.publishedResourceSelector);
  const kcpConfig = loadKubeConfig(options.kcpKubeconfig);
  const kcpServer = kcpConfig.cluster.server;
  if (parseWorkspaceUrl(kcpServer) === undefined) {
    throw new Error(
      `--kcp-kubeconfig must point into a kcp workspace (a server URL ending in /clusters/<workspace>), got "${kcpServer}"`,
    );
  }
  const serviceConfig = withOverrides(loadKubeConfig(options.kubeconfig), options);
  const metrics = createAgentMetrics({ requestLog: options.logDebug ? logger : undefined });
  // Writes are always allowed, unless leader election is on: then only while
  // the elector is sure it holds the lease (guarded once it exists).
  const fence = new WriteFence((write) => {
    logger.warn('A write sent while this replica held the leader lease was answered only after it lost the lease', {
      write,
      why: 'it may have landed after the new leader took over',
    });
  });
  const clientOpts = (
    qps: number,
    burst: number,
    server: 'kcp' | 'service',
  ): ConstructorParameters<typeof RestClient>[1] => ({
    qps,
    burst,
    clock: systemClock,
    userAgent: `api-syncagent-ts/${options.agentName}`,
    observer: metrics.requests(server),
    fence,
  });
  // A pool that stopped sending is replaced (recycling-agent.ts); worth a warning, it fails the watches on it.
  const onRecycle = (server: 'kcp' | 'service') => (why: string) => {
    logger.warn('Replaced the connection pool to a server', { server, why });
  };
  const serviceConnection = await connectionFromKubeConfig(serviceConfig, { onRecycle: onRecycle('service') });
  return {
    selector,
    metrics,
    fence,
    kcp: new RestClient(
      await connectionFromKubeConfig(kcpConfig, { onRecycle: onRecycle('kcp') }),
      clientOpts(options.kcpQps, options.kcpBurst, 'kcp'),
    ),
    service: new RestClient(serviceConnection, clientOpts(options.serviceQps, options.serviceBurst, 'service')),
    // The elector's own client: renewing the lease is the one write a replica unsure of its lease must make.
    lease: new RestClient(serviceConnection, {
      ...clientOpts(options.serviceQps, options.serviceBurst, 'service'),
      fence: undefined,
    }),
  };
}

/** The service-cluster kubeconfig with --kubeconfig-host-override and --kubeconfig-ca-file-override applied. */
function withOverrides(kc: KubeConfig, options: Options): KubeConfig {
  const host = options.kubeconfigHostOverride;
  const caFile = options.kubeconfigCAFileOverride;
  const cluster = {
    ...kc.cluster,
    ...(host === undefined ? {} : { server: host }),
    ...(caFile === undefined ? {} : { ca: readFileSync(caFile, 'utf8') }),
  };
  return { ...kc, cluster };
}

async function run(options: Options, logger: Logger, setup: Awaited<ReturnType<typeof connect>>): Promise<number> {
  const abort = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info('Shutting down…', { signal });
      abort.abort();
    });
  }
  const agent = createAgent({
    options,
    clock: systemClock,
    logger,
    service: setup.service,
    kcp: setup.kcp,
    selector: setup.selector,
    observer: setup.metrics.observer,
    onEventDiscarded: (why) => {
      setup.metrics.eventDiscarded(why);
    },
  });
  const elector = options.enableLeaderElection ? leaderElector(options, logger, setup.lease, setup.fence) : undefined;
  if (elector !== undefined) setup.fence.guardWith(() => elector.holdsLease());
  const servers: Server[] = [];
  if (options.healthAddress !== undefined) {
    servers.push(
      await serve(
        options.healthAddress,
        {
          '/healthz': () => ({ code: 200, body: 'ok\n' }),
          '/readyz': () => readiness(agent, elector),
        },
        logger,
      ),
    );
  }
  if (options.metricsAddress !== undefined) {
    servers.push(
      await serve(
        options.metricsAddress,
        {
          '/metrics': async () => ({ code: 200, body: await setup.metrics.render(), type: setup.metrics.contentType }),
        },
        logger,
      ),
    );
  }
  logger.info('Starting api-syncagent', {
    agentName: options.agentName,
    apiExport: options.apiExportRef,
    endpointSlice: options.apiExportEndpointSliceRef,
  });
  try {
    if (elector === undefined) {
      await agent.run(abort.signal);
      return abort.signal.aborted ? 0 : 1;
    }
    const lost = await elector.run(abort.signal, (leaderSignal) => agent.run(leaderSignal));
    // A replica that lost its lease exits, so it cannot act next to the new
    // leader; one whose agent stopped without being asked to is not healthy.
    return lost || !abort.signal.aborted ? 1 : 0;
  } catch (err) {
    logger.error('Agent failed', { error: errorChain(err) });
    return 1;
  } finally {
    for (const s of servers) s.close();
  }
}

function leaderElector(options: Options, logger: Logger, service: RestClient, fence: WriteFence): LeaderElector {
  return new LeaderElector({
    onLost: () => {
      fence.lost();
    },
    client: service,
    namespace: options.namespace,
    name: `syncagent.${options.agentName}`,
    identity: `${hostname()}_${randomUUID()}`,
    clock: systemClock,
    logger,
    now: () => new Date(),
    ...AGENT_LEASE_TIMINGS,
  });
}

/**
 * The leader is ready once its caches are loaded and every virtual-workspace
 * watch follows its shard. A standby replica is ready too (it is healthy and
 * waiting for the lease); otherwise a rolling update of a two-replica
 * Deployment would wait forever for it.
 */
function readiness(agent: Agent, elector: LeaderElector | undefined): { code: number; body: string } {
  return readinessAnswer({
    leading: elector === undefined || elector.isLeader(),
    cachesLoaded: agent.ready(),
    connected: agent.connected(),
    outages: agent.endpointOutages(),
    now: systemClock.now(),
  });
}

process.on('unhandledRejection', (err) => {
  process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'Unhandled rejection', error: errorChain(err) })}\n`);
  process.exit(1);
});

const code = await main(process.argv.slice(2));
// The work has stopped and shutdown has had its time: nothing left (a write
// given up on, an idle connection, a timer) may keep a terminating pod alive
// until it is killed, as Node would if it waited for every open handle. What
// was written to stdout and stderr goes out first (a pipe may be asynchronous).
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
