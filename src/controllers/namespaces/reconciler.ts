import { isNotFound } from '../../kube/errors.ts';
import type { KubeObject } from '../../kube/object.ts';
import type { Logger } from '../../log/logger.ts';
import type { Result } from '../../runtime/controller.ts';
import { type NamespaceContents, namespaceVerdict } from '../../translate/namespace-cleanup.ts';

export const CONTROLLER_NAME = 'namespace-cleanup';

export interface NamespaceCleanupDeps {
  readonly agentName: string;
  readonly logger: Logger;
  /**
   * Whether a sync's cache holds a copy in the namespace: then it is kept
   * without listing its contents (that copy's deletion queues it again).
   */
  hasCopies(name: string): boolean;
  /** The namespace from the server; undefined when it is gone. */
  getNamespace(name: string): Promise<KubeObject | undefined>;
  contents(name: string): Promise<NamespaceContents>;
  /** Deletes it, guarded by its uid. */
  deleteNamespace(ns: KubeObject): Promise<void>;
}

/**
 * Looks at one service-cluster namespace after a copy in it went (or at
 * start) and deletes it when the agent made it and nothing but Kubernetes'
 * housekeeping is left in it (namespaceVerdict). Everything is read from the
 * server, not a cache, right before the decision.
 */
export async function reconcileNamespace(name: string, deps: NamespaceCleanupDeps): Promise<Result | undefined> {
  if (deps.hasCopies(name)) return undefined;
  const ns = await deps.getNamespace(name);
  if (ns === undefined) return undefined;
  const verdict = namespaceVerdict(ns, deps.agentName, await deps.contents(name));
  if (verdict.action === 'recheck') {
    deps.logger.debug('Namespace not empty yet', { namespace: name, why: verdict.why });
    return { requeueAfterMs: verdict.afterMs };
  }
  if (verdict.action === 'keep') {
    deps.logger.debug('Keeping namespace', { namespace: name, why: verdict.why });
    return undefined;
  }
  deps.logger.info('Deleting namespace the agent created; no copies are left in it…', { namespace: name });
  await deps.deleteNamespace(ns).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
  return undefined;
}
