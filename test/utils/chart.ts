import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments, stringify } from 'yaml';
import type { KubeObject } from '../../src/kube/object.ts';
import { REPO_ROOT, toolPath } from './tools.ts';

export const CHART_DIR = join(REPO_ROOT, 'charts/api-syncagent');

/**
 * Runs the project's helm and returns its output. A failure rejects with
 * execa's message: the command, helm's exit code and its stderr.
 */
export async function helm(args: readonly string[]): Promise<string> {
  const { stdout } = await execa(toolPath('helm'), args);
  return stdout;
}

/** Writes values to a file helm can read with -f. */
export function valuesFile(dir: string, values: Record<string, unknown>): string {
  const path = join(dir, `values-${Date.now()}-${Math.random().toString(16).slice(2)}.yaml`);
  writeFileSync(path, stringify(values));
  return path;
}

/** `helm template` of our chart, parsed into objects. */
export async function renderChart(
  dir: string,
  values: Record<string, unknown>,
  release = 'syncagent',
): Promise<KubeObject[]> {
  const out = await helm(['template', release, CHART_DIR, '--namespace', 'syncagent', '-f', valuesFile(dir, values)]);
  return parseAllDocuments(out)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}

export function findObject(objects: KubeObject[], kind: string, nameSuffix = ''): KubeObject | undefined {
  return objects.find((o) => o.kind === kind && (o.metadata.name ?? '').endsWith(nameSuffix));
}

interface Container {
  args?: string[];
  env?: { name: string }[];
}

/** The agent container's arguments in a rendered Deployment. */
export function deploymentArgs(objects: KubeObject[]): string[] {
  const dep = findObject(objects, 'Deployment');
  const spec = dep?.['spec'] as { template?: { spec?: { containers?: Container[] } } } | undefined;
  const args = spec?.template?.spec?.containers?.[0]?.args;
  if (args === undefined) throw new Error('the rendered chart has no agent container arguments');
  return args;
}

/**
 * The Deployment's arguments for a local process: the pod's environment and
 * mounted files replaced by real values and paths, and the in-cluster
 * service-cluster config (which only exists in a pod) given as a kubeconfig.
 */
export function localArgs(
  args: readonly string[],
  replace: { namespace: string; kcpKubeconfig: string; kubeconfig: string; healthPort: number; metricsPort: number },
): string[] {
  const out = args.map((a) =>
    a
      .replace('$(POD_NAMESPACE)', replace.namespace)
      .replace('/etc/api-syncagent/kcp/kubeconfig', replace.kcpKubeconfig)
      .replace(/^--health-address=.*$/, `--health-address=127.0.0.1:${replace.healthPort}`)
      .replace(/^--metrics-address=0\.0\.0\.0:.*$/, `--metrics-address=127.0.0.1:${replace.metricsPort}`),
  );
  return out.some((a) => a.startsWith('--kubeconfig=')) ? out : [...out, `--kubeconfig=${replace.kubeconfig}`];
}
