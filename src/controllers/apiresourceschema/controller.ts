import type { APIResourceSchema } from '../../apis/kcp.ts';
import { isAlreadyExists, isNotFound } from '../../kube/errors.ts';
import { Controller } from '../../runtime/controller.ts';
import { WorkQueue } from '../../runtime/workqueue.ts';
import type { AgentContext } from '../context.ts';
import { statusWriter } from '../shared/status-writer.ts';
import { CONTROLLER_NAME, reconcileSchema } from './reconciler.ts';

const SCHEMAS = '/apis/apis.kcp.io/v1alpha1/apiresourceschemas';

/**
 * Wires the APIResourceSchema controller: a PublishedResource change queues
 * it, and a CRD change queues every PublishedResource of that group and kind.
 */
export function registerSchemaController(ctx: AgentContext): void {
  const queue = new WorkQueue({ clock: ctx.clock, name: CONTROLLER_NAME });
  ctx.publishedResources.onChange((obj) => {
    queue.add(obj.metadata.name ?? '');
  });
  ctx.crds.onChange((crd) => {
    const spec = crd['spec'] as { group?: string; names?: { kind?: string } } | undefined;
    for (const pr of ctx.listPublishedResources()) {
      if (spec !== undefined && pr.spec.resource.apiGroup === spec.group && pr.spec.resource.kind === spec.names?.kind)
        queue.add(pr.metadata.name ?? '');
    }
  });
  // Schemas are immutable and never deleted by us: once seen, a name stays valid.
  const known = new Set<string>();
  const logger = ctx.logger.child({ controller: CONTROLLER_NAME });
  const controller = new Controller({
    name: CONTROLLER_NAME,
    queue,
    workers: 4,
    logger,
    observer: ctx.observer,
    reconcile: (name) =>
      reconcileSchema(name, {
        agentName: ctx.options.agentName,
        selector: ctx.selector,
        getPublishedResource: (n) => ctx.getPublishedResource(n),
        findSource: (g, k) => ctx.findSource(g, k),
        schemaExists: async (n) => {
          if (known.has(n)) return true;
          const found = await ctx.kcp.get(`${SCHEMAS}/${n}`).then(
            () => true,
            (err: unknown) => {
              if (isNotFound(err)) return false;
              throw err;
            },
          );
          if (found) known.add(n);
          return found;
        },
        createSchema: async (schema: APIResourceSchema) => {
          logger.info('Creating APIResourceSchema…', { schema: schema.metadata.name });
          await ctx.kcp.create(SCHEMAS, schema).catch((err: unknown) => {
            if (!isAlreadyExists(err)) throw err;
          });
        },
        writeStatus: statusWriter(ctx, CONTROLLER_NAME),
      }),
  });
  ctx.manager.add(CONTROLLER_NAME, (signal) => controller.start(signal));
}
