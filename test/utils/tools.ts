import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

export type Tool = 'kcp' | 'kube-apiserver' | 'kube-controller-manager' | 'etcd' | 'helm' | 'crossplane' | 'upstream-syncagent';

/** Path of a server binary built by `make tools` (hack/build-tools.sh). */
export function toolPath(tool: Tool): string {
  try {
    return execFileSync('bash', [`${REPO_ROOT}/hack/build-tools.sh`, '--path', tool], { encoding: 'utf8' }).trim();
  } catch (err) {
    throw new Error(`${tool} is not built; run 'make tools'`, { cause: err });
  }
}

/** The agent binary (`make build`). */
export const AGENT_BINARY = `${REPO_ROOT}/bin/api-syncagent`;
