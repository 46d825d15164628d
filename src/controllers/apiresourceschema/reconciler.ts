import type { CustomResourceDefinition } from '../../apis/apiextensions.ts';
import type { APIResourceSchema } from '../../apis/kcp.ts';
import type { PublishedResource } from '../../apis/v1alpha1/published-resource.ts';
import type { Result } from '../../runtime/controller.ts';
import type { Requirement } from '../../translate/label-selector.ts';
import { planFor } from '../../sync/plan.ts';
import { CONDITION, type ConditionInput, isSelected } from '../shared/published-resources.ts';

export const CONTROLLER_NAME = 'apiresourceschema';

/** How often to look again for a source CRD that does not exist (its watch also wakes us). */
const MISSING_SOURCE_RETRY_MS = 30_000;

/** The reconciler's I/O, bound to caches and clients by the controller. */
export interface SchemaReconcilerDeps {
  readonly agentName: string;
  readonly selector: readonly Requirement[];
  getPublishedResource(name: string): PublishedResource | undefined;
  /** The source type: its CRD, or one built from the server's OpenAPI for a built-in type. */
  findSource(group: string, kind: string): Promise<CustomResourceDefinition | undefined>;
  schemaExists(name: string): Promise<boolean>;
  createSchema(schema: APIResourceSchema): Promise<void>;
  writeStatus(
    pr: PublishedResource,
    change: { conditions: ConditionInput[]; resourceSchemaName?: string },
  ): Promise<boolean>;
}

/**
 * PublishedResource → APIResourceSchema in kcp. Schemas are immutable and
 * named by their content, so a change creates a new one and reverting reuses
 * the old. Schemas are never deleted: an export may still serve them, and
 * deleting one could take every consumer's data with it.
 */
export async function reconcileSchema(name: string, deps: SchemaReconcilerDeps): Promise<Result | undefined> {
  const pr = deps.getPublishedResource(name);
  if (pr === undefined || !isSelected(pr, deps.selector)) return undefined;
  const { apiGroup, kind } = pr.spec.resource;
  const crd = await deps.findSource(apiGroup, kind);
  if (crd === undefined) {
    await deps.writeStatus(pr, {
      conditions: [
        notReady(
          'SourceNotFound',
          `spec.resource: the service cluster serves no kind "${kind}" in API group "${apiGroup}"`,
        ),
      ],
    });
    return { requeueAfterMs: MISSING_SOURCE_RETRY_MS };
  }
  let schema: APIResourceSchema;
  try {
    schema = buildSchema(pr, crd, deps.agentName);
  } catch (err) {
    await deps.writeStatus(pr, {
      conditions: [notReady('InvalidSpec', err instanceof Error ? err.message : String(err))],
    });
    return undefined;
  }
  const schemaName = schema.metadata.name ?? '';
  if (!(await deps.schemaExists(schemaName))) {
    await deps.createSchema(schema);
    return { requeueAfterMs: 0 };
  }
  await deps.writeStatus(pr, {
    resourceSchemaName: schemaName,
    conditions: [
      {
        type: CONDITION.schemaReady,
        status: 'True',
        reason: 'Published',
        message: `APIResourceSchema ${schemaName} is published in kcp`,
      },
    ],
  });
  return undefined;
}

/** The schema for a PublishedResource and its source type. Throws naming the invalid field. */
export function buildSchema(
  pr: PublishedResource,
  crd: CustomResourceDefinition,
  agentName: string,
): APIResourceSchema {
  return planFor(pr, crd, agentName).schema;
}

function notReady(reason: string, message: string): ConditionInput {
  return { type: CONDITION.schemaReady, status: 'False', reason, message };
}
