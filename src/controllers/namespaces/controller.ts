import { NAMESPACE_CREATED_BY_LABEL } from '../../apis/v1alpha1/constants.ts';
import { isNotFound } from '../../kube/errors.ts';
import { errorChain } from '../../log/logger.ts';
import { Controller } from '../../runtime/controller.ts';
import { WorkQueue } from '../../runtime/workqueue.ts';
import type { AgentContext } from '../context.ts';
import { ListableTypes, namespaceContents } from './contents.ts';
import { CONTROLLER_NAME, reconcileNamespace } from './reconciler.ts';

/**
 * A copy's deletion is seen before the garbage collector has removed what
 * the operator made for it; waiting a little saves a recheck.
 */
const AFTER_COPY_GONE_MS = 2_000;

/**
 * The namespaces looked at on start wait until the syncs' caches have
 * loaded: a namespace they hold copies in is then skipped without a request.
 */
const AT_START_MS = 30_000;

/** What the syncs tell the namespace cleanup. */
export interface NamespaceCleanup {
  /** A copy of ours in this namespace is gone. */
  copyGone(namespace: string): void;
}

/**
 * Wires the namespace cleanup (#113): a copy's deletion queues its namespace,
 * and at start every namespace the agent created is looked at once (copies
 * may have gone while it was down). One worker: namespaces empty rarely.
 */
export function registerNamespaceCleanup(
  ctx: AgentContext,
  syncs: { hasCopiesIn(namespace: string): boolean },
): NamespaceCleanup {
  const queue = new WorkQueue({ clock: ctx.clock, name: CONTROLLER_NAME });
  const logger = ctx.logger.child({ controller: CONTROLLER_NAME });
  const { agentName } = ctx.options;
  const types = new ListableTypes(ctx.service, ctx.clock);
  const controller = new Controller({
    name: CONTROLLER_NAME,
    queue,
    workers: 1,
    logger,
    observer: ctx.observer,
    reconcile: (name) =>
      reconcileNamespace(name, {
        agentName,
        logger,
        hasCopies: (n) => syncs.hasCopiesIn(n),
        getNamespace: (n) =>
          ctx.service.get(`/api/v1/namespaces/${n}`).catch((err: unknown) => {
            if (isNotFound(err)) return undefined;
            throw err;
          }),
        contents: async (n) => namespaceContents(ctx.service, n, await types.get()),
        deleteNamespace: async (ns) => {
          await ctx.service.delete(`/api/v1/namespaces/${ns.metadata.name ?? ''}`, {
            preconditions: { uid: ns.metadata.uid ?? '' },
          });
        },
      }),
  });
  ctx.manager.add(CONTROLLER_NAME, async (signal) => {
    const started = controller.start(signal);
    try {
      const ours = await ctx.service.list('/api/v1/namespaces', {
        labelSelector: `${NAMESPACE_CREATED_BY_LABEL}=${agentName}`,
      });
      for (const ns of ours.items) queue.addAfter(ns.metadata.name ?? '', AT_START_MS);
    } catch (err) {
      logger.error('Could not list the namespaces the agent created; they are looked at when a copy goes', {
        error: errorChain(err),
      });
    }
    await started;
  });
  return {
    copyGone: (namespace) => {
      queue.addAfter(namespace, AFTER_COPY_GONE_MS);
    },
  };
}
