// Starting the agents under test: the upstream Go agent (v0.7.0, defaults)
// and ours (defaults, or with upstream's 20/30 client limits).
import { join } from 'node:path';
import { writeKubeconfig } from '../test/utils/kubeconfig.ts';
import { freePort } from '../test/utils/ports.ts';
import { type ManagedProcess, startProcess } from '../test/utils/processes.ts';
import { AGENT_BINARY, toolPath } from '../test/utils/tools.ts';
import type { AgentKind } from './options.ts';
import type { BenchApi, BenchEnv } from './setup.ts';

export interface BenchAgent {
  readonly kind: AgentKind;
  /** The --agent-name (copies carry it as a label). */
  readonly name: string;
  readonly process: ManagedProcess;
  readonly metricsUrl: string;
}

const LIMITED = ['--kcp-qps=20', '--kcp-burst=30', '--service-qps=20', '--service-burst=30'];

export function agentName(kind: AgentKind): string {
  return `bench-${kind}`;
}

/** Starts one agent for its API; `run` tells the log files of several starts apart. */
export async function startBenchAgent(env: BenchEnv, kind: AgentKind, api: BenchApi, run: string): Promise<BenchAgent> {
  const name = agentName(kind);
  const dir = env.artifacts.scratchDir(`agent-${kind}`);
  const kcpKubeconfig = writeKubeconfig(join(dir, 'kcp.kubeconfig'), env.kcp.identity('agent', api.provider.path));
  const [metricsPort, healthPort] = [await freePort(), await freePort()];
  const common = [
    `--kcp-kubeconfig=${kcpKubeconfig}`,
    `--kubeconfig=${env.service.adminKubeconfig}`,
    `--namespace=${name}`,
    `--apiexportendpointslice-ref=${api.exportName}`,
    `--agent-name=${name}`,
    `--published-resource-selector=bench.kcp.io/agent=${kind}`,
    `--metrics-address=127.0.0.1:${metricsPort}`,
    `--health-address=127.0.0.1:${healthPort}`,
    // For diagnosis only: debug logs cost time, so measured runs go without.
    ...(process.env['BENCH_AGENT_DEBUG'] === '1' ? ['--log-debug'] : []),
  ];
  const logFile = env.artifacts.logFile(`agent-${kind}-${run}.log`);
  const proc =
    kind === 'upstream'
      ? startProcess(`agent/${kind}`, toolPath('upstream-syncagent'), [...common, '--enable-leader-election=false'], {
          logFile,
        })
      : startProcess(
          `agent/${kind}`,
          AGENT_BINARY,
          [...common, `--apiexport-ref=${api.exportName}`, ...(kind === 'ours-limited' ? LIMITED : []), ...tuning()],
          { logFile },
        );
  return { kind, name, process: proc, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
}

/** Extra flags for our agent, for tuning experiments (BENCH_OURS_ARGS="--sync-workers=64"). */
function tuning(): string[] {
  return (process.env['BENCH_OURS_ARGS'] ?? '').split(' ').filter((a) => a !== '');
}

/** Throws when the agent has exited (so waits end at once), with its log tail. */
export function agentAlive(agent: BenchAgent): void {
  if (agent.process.exited()) throw new Error(`agent ${agent.kind} exited:\n${agent.process.logTail(30)}`);
}
