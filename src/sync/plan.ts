import type { CustomResourceDefinition } from '../apis/apiextensions.ts';
import type { APIResourceSchema } from '../apis/kcp.ts';
import { AGENT_NAME_ANNOTATION, AGENT_NAME_LABEL, SOURCE_GENERATION_ANNOTATION } from '../apis/v1alpha1/constants.ts';
import type { PublishedResource } from '../apis/v1alpha1/published-resource.ts';
import { crdToAPIResourceSchema } from '../translate/crd-to-schema.ts';
import { fromLabelSelector } from '../translate/label-selector.ts';
import { isProtectedGroup } from '../translate/openapi-schema.ts';
import { projectCrd, selectVersions } from '../translate/projection.ts';
import { type SyncTarget, syncTargetFor } from '../translate/sync-target.ts';
import { compileBehaviour, type SyncBehaviour } from './behaviour.ts';

/**
 * Everything one PublishedResource turns into, computed from it and its
 * source type alone (pure): the schema kcp serves, what the sync engine
 * syncs, and the compiled mutations and templates. The agent's controllers and
 * `api-syncagent render` share it, so a preview is exactly what the agent does.
 */
export interface PublishPlan {
  readonly schema: APIResourceSchema;
  readonly target: SyncTarget;
  readonly behaviour: SyncBehaviour;
}

/**
 * Builds the plan; throws an Error whose message starts with the offending
 * field (version selection, projection, filters, templates, mutations).
 */
export function planFor(pr: PublishedResource, source: CustomResourceDefinition, agentName: string): PublishPlan {
  const selected = selectVersions(source.spec, pr.spec.resource);
  const projected = projectCrd(selected, pr.spec.projection);
  const behaviour = compileBehaviour(pr);
  const target = syncTargetFor({
    publishedResource: pr.metadata.name ?? '',
    agentName,
    crd: selected,
    projected,
    naming: pr.spec.naming,
    resourceFilter: selector(pr.spec.filter?.resource, 'spec.filter.resource'),
    namespaceFilter:
      pr.spec.filter?.namespace === undefined ? undefined : selector(pr.spec.filter.namespace, 'spec.filter.namespace'),
    enableWorkspacePaths: pr.spec.enableWorkspacePaths === true,
    mutation: pr.spec.mutation,
    related: pr.spec.related,
  });
  return { schema: schemaFor(projected, source, agentName), target, behaviour };
}

function schemaFor(
  projected: Parameters<typeof crdToAPIResourceSchema>[0],
  source: CustomResourceDefinition,
  agentName: string,
): APIResourceSchema {
  const schema = crdToAPIResourceSchema(projected);
  schema.metadata.labels = { [AGENT_NAME_LABEL]: agentName };
  schema.metadata.annotations = {
    [AGENT_NAME_ANNOTATION]: agentName,
    [SOURCE_GENERATION_ANNOTATION]: String(source.metadata.generation ?? 0),
    // kcp, like Kubernetes, wants an approval note for *.k8s.io groups.
    ...(isProtectedGroup(projected.group)
      ? { 'api-approved.kubernetes.io': 'unapproved, published by api-syncagent' }
      : {}),
  };
  return schema;
}

function selector(sel: Parameters<typeof fromLabelSelector>[0], field: string): ReturnType<typeof fromLabelSelector> {
  try {
    return fromLabelSelector(sel);
  } catch (err) {
    throw new Error(`${field}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
