import type { APIExport } from '../../apis/kcp.ts';
import { AGENT_NAME_ANNOTATION } from '../../apis/v1alpha1/constants.ts';
import type { PublishedResource } from '../../apis/v1alpha1/published-resource.ts';
import type { Result } from '../../runtime/controller.ts';
import { deepEqual } from '../../translate/deep-equal.ts';
import { mergeExportSpec, type PublishedSchema } from '../../translate/export-spec.ts';
import { publishConflicts } from '../../translate/publish-conflicts.ts';
import { relatedClaims } from '../../translate/related/claims.ts';
import { CONDITION, type ConditionInput } from '../shared/published-resources.ts';

export const CONTROLLER_NAME = 'apiexport';
/** The export is one object: every event maps to this one key. */
export const EXPORT_KEY = 'apiexport';

/** How long to wait for kcp to create the export's own endpoint slice. */
const SLICE_WAIT_MS = 1_000;

export interface ExportReconcilerDeps {
  readonly exportName: string;
  readonly endpointSliceName: string;
  readonly agentName: string;
  /** The PublishedResources this agent handles (not being deleted). */
  listPublishedResources(): PublishedResource[];
  getExport(): APIExport | undefined;
  createExport(exp: APIExport): Promise<void>;
  /** Whether the APIExportEndpointSlice the agent syncs through exists. */
  endpointSliceExists(): boolean;
  /** Creates it for our export (kcp only creates one named like the export). */
  createEndpointSlice(): Promise<void>;
  updateExport(exp: APIExport): Promise<void>;
  writeStatus(pr: PublishedResource, change: { conditions: ConditionInput[] }): Promise<boolean>;
}

/**
 * Keeps the APIExport serving every published schema with the permission
 * claims the PublishedResources need, creating the export when it does not
 * exist (unlike upstream, which requires users to create it) and the endpoint
 * slice when kcp has not made it. Then reports ExportReady on each
 * PublishedResource.
 */
export async function reconcileExport(deps: ExportReconcilerDeps): Promise<Result | undefined> {
  const prs = deps.listPublishedResources();
  const conflicts = publishConflicts(prs);
  const published = prs.filter((pr) => !conflicts.has(pr.metadata.name ?? '')).map(publishedSchema);
  const current = deps.getExport();
  if (current === undefined) {
    await deps.createExport({
      apiVersion: 'apis.kcp.io/v1alpha2',
      kind: 'APIExport',
      metadata: { name: deps.exportName, annotations: { [AGENT_NAME_ANNOTATION]: deps.agentName } },
      spec: mergeExportSpec({}, published),
    });
    return { requeueAfterMs: 0 };
  }
  const spec = mergeExportSpec(current.spec, published);
  // The first agent to manage the export names it; a second agent sharing
  // the export leaves that name alone (two agents rewriting it would fight).
  const annotated = current.metadata.annotations?.[AGENT_NAME_ANNOTATION] !== undefined;
  if (!deepEqual(spec, current.spec) || !annotated) {
    await deps.updateExport({
      ...current,
      metadata: {
        ...current.metadata,
        annotations: { [AGENT_NAME_ANNOTATION]: deps.agentName, ...current.metadata.annotations },
      },
      spec,
    });
    return { requeueAfterMs: 0 };
  }
  if (!deps.endpointSliceExists()) {
    // kcp creates a slice named like the export by itself; only another name is ours to create.
    if (deps.endpointSliceName === deps.exportName) return { requeueAfterMs: SLICE_WAIT_MS };
    await deps.createEndpointSlice();
    return { requeueAfterMs: 0 };
  }
  await reportExportReady(current, prs, conflicts, deps);
  return undefined;
}

/** ExportReady on each PublishedResource: is its current schema served? */
async function reportExportReady(
  current: APIExport,
  prs: PublishedResource[],
  conflicts: Map<string, string>,
  deps: ExportReconcilerDeps,
): Promise<void> {
  const served = new Set((current.spec.resources ?? []).map((r) => r.schema));
  for (const pr of prs) {
    const name = pr.status?.resourceSchemaName;
    if (name === undefined || name === '') continue;
    const conflict = conflicts.get(pr.metadata.name ?? '');
    if (conflict !== undefined) {
      await deps.writeStatus(pr, {
        conditions: [{ type: CONDITION.exportReady, status: 'False', reason: 'Conflict', message: conflict }],
      });
      continue;
    }
    const ready = served.has(name);
    await deps.writeStatus(pr, {
      conditions: [
        {
          type: CONDITION.exportReady,
          status: ready ? 'True' : 'False',
          reason: ready ? 'Exported' : 'Pending',
          message: ready
            ? `APIExport ${deps.exportName} serves ${name}`
            : `waiting for APIExport ${deps.exportName} to serve ${name}`,
        },
      ],
    });
  }
}

function publishedSchema(pr: PublishedResource): PublishedSchema {
  const schemaName = pr.status?.resourceSchemaName;
  return {
    schemaName: schemaName === '' ? undefined : schemaName,
    needsNamespaces: pr.spec.filter?.namespace !== undefined || (pr.spec.related?.length ?? 0) > 0,
    needsLogicalClusters: pr.spec.enableWorkspacePaths === true,
    relatedClaims: relatedClaims(pr.spec.related),
  };
}
