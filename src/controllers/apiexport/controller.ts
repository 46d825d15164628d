import type { APIExport } from '../../apis/kcp.ts';
import { parseWorkspaceUrl } from '../../kcp/workspace-url.ts';
import { isAlreadyExists } from '../../kube/errors.ts';
import { Controller } from '../../runtime/controller.ts';
import { WorkQueue } from '../../runtime/workqueue.ts';
import type { AgentContext } from '../context.ts';
import { statusWriter } from '../shared/status-writer.ts';
import { CONTROLLER_NAME, EXPORT_KEY, reconcileExport } from './reconciler.ts';

const EXPORTS = '/apis/apis.kcp.io/v1alpha2/apiexports';
const SLICES = '/apis/apis.kcp.io/v1alpha1/apiexportendpointslices';

/** Wires the APIExport controller: every PublishedResource or export change queues the one key. */
export function registerExportController(ctx: AgentContext): void {
  const queue = new WorkQueue({ clock: ctx.clock, name: CONTROLLER_NAME });
  ctx.publishedResources.onChange(() => {
    queue.add(EXPORT_KEY);
  });
  ctx.apiExports.onChange(() => {
    queue.add(EXPORT_KEY);
  });
  const logger = ctx.logger.child({ controller: CONTROLLER_NAME });
  const name = ctx.options.apiExportRef;
  const controller = new Controller({
    name: CONTROLLER_NAME,
    queue,
    workers: 1,
    logger,
    observer: ctx.observer,
    reconcile: () =>
      reconcileExport({
        exportName: name,
        endpointSliceName: ctx.options.apiExportEndpointSliceRef,
        agentName: ctx.options.agentName,
        listPublishedResources: () => ctx.listPublishedResources(),
        getExport: () => ctx.apiExports.get(name) as APIExport | undefined,
        createExport: async (exp) => {
          logger.info('Creating APIExport…', { apiExport: name });
          // Our cache may not have caught up with an earlier create yet.
          await ctx.kcp.create(EXPORTS, exp).catch((err: unknown) => {
            if (!isAlreadyExists(err)) throw err;
          });
        },
        updateExport: async (exp) => {
          logger.info('Updating APIExport…', { apiExport: name, schemas: exp.spec.resources?.map((r) => r.schema) });
          await ctx.kcp.replace(`${EXPORTS}/${name}`, exp);
        },
        endpointSliceExists: () => ctx.endpointSlices.get(ctx.options.apiExportEndpointSliceRef) !== undefined,
        createEndpointSlice: async () => {
          const slice = ctx.options.apiExportEndpointSliceRef;
          logger.info('Creating APIExportEndpointSlice…', { endpointSlice: slice });
          await ctx.kcp
            .create(SLICES, {
              apiVersion: 'apis.kcp.io/v1alpha1',
              kind: 'APIExportEndpointSlice',
              metadata: { name: slice },
              spec: { export: { path: parseWorkspaceUrl(ctx.kcp.server)?.cluster ?? '', name } },
            })
            .catch((err: unknown) => {
              if (!isAlreadyExists(err)) throw err;
            });
        },
        writeStatus: statusWriter(ctx, CONTROLLER_NAME),
      }),
  });
  queue.add(EXPORT_KEY);
  ctx.manager.add(CONTROLLER_NAME, (signal) => controller.start(signal));
}
