import { fileURLToPath } from 'node:url';
import { execaSync } from 'execa';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

export type Tool =
  | 'kcp'
  | 'cache-server'
  | 'kcp-front-proxy'
  | 'sharded-test-server'
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'etcd'
  | 'helm'
  | 'crossplane'
  | 'upstream-syncagent';

/** Path of a server binary built by `make tools` (hack/build-tools.sh). */
export function toolPath(tool: Tool): string {
  try {
    return execaSync('bash', [`${REPO_ROOT}/hack/build-tools.sh`, '--path', tool]).stdout;
  } catch (err) {
    throw new Error(`${tool} is not built; run 'make tools'`, { cause: err });
  }
}

/** The agent binary (`make build`). */
export const AGENT_BINARY = `${REPO_ROOT}/bin/api-syncagent`;
