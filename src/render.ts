// `api-syncagent render`: what the agent would make of a PublishedResource,
// with no cluster. It runs the agent's own code (planFor, desiredLocalObject,
// the compiled mutations), so the preview cannot drift from the real thing.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse, parseAllDocuments, stringify } from 'yaml';
import type { CustomResourceDefinition } from './apis/apiextensions.ts';
import { LAST_KNOWN_STATE_ANNOTATION } from './apis/v1alpha1/constants.ts';
import { isPublishedResource, type PublishedResource } from './apis/v1alpha1/published-resource.ts';
import { isKubeObject, type KubeObject } from './kube/object.ts';
import { renderRelated } from './render-related.ts';
import { planFor } from './sync/plan.ts';
import { desiredLocalObject } from './translate/local-object.ts';

export const RENDER_USAGE = `Usage: api-syncagent render --published-resource FILE --crd FILE --object FILE [flags]

Prints, as YAML documents, the APIResourceSchema the agent would publish, the
service-cluster object it would create for the consumer object, (with
--service-object) the status it would send back up, and, for PublishedResources
with spec.related, where each related rule finds its objects and the copies it
would write for the sample objects given with --related-object.

Flags:
  --published-resource FILE  the PublishedResource manifest
  --crd FILE                 the service cluster's CustomResourceDefinition for spec.resource
  --object FILE              a consumer object as it would be created in kcp
  --service-object FILE      a service-cluster object with status (to preview the status sent up)
  --related-object FILE      a related object on its origin side (repeatable; a file may hold several documents)
  --cluster-name NAME        logical cluster name of the consumer workspace (default: demo-cluster)
  --workspace-path PATH      workspace path, for .ClusterPath (default: root:demo)
  --agent-name NAME          the agent name (default: api-syncagent)
`;

export interface RenderInput {
  readonly publishedResource: unknown;
  readonly crd: unknown;
  readonly object: unknown;
  readonly serviceObject?: unknown;
  /** Sample related objects on their origin side. */
  readonly relatedObjects?: readonly unknown[];
  readonly clusterName: string;
  readonly workspacePath: string;
  readonly agentName: string;
}

/** The render output as YAML documents. Throws naming the bad input or field. */
export async function render(input: RenderInput): Promise<string> {
  const { pr, crd, remote, serviceObject } = checkedInput(input);
  const plan = planFor(pr, crd, input.agentName);
  const desired = desiredLocalObject(remote, plan.target, {
    clusterName: input.clusterName,
    clusterPath: plan.target.enableWorkspacePaths ? input.workspacePath : '',
    renderer: plan.behaviour.templates,
    mutated: plan.behaviour.specMutator.apply(remote, serviceObject),
  });
  const { [LAST_KNOWN_STATE_ANNOTATION]: _state, ...annotations } = desired.object.metadata.annotations ?? {};
  const docs = [
    `# APIResourceSchema published in kcp\n${stringify(plan.schema)}`,
    `# Object created on the service cluster\n${stringify({ ...desired.object, metadata: { ...desired.object.metadata, annotations } })}`,
  ];
  if (serviceObject !== undefined) {
    const status = plan.behaviour.statusMutator.apply(serviceObject, remote)['status'];
    docs.push(`# Status written to the consumer object in kcp\n${stringify({ status: status ?? null })}`);
  }
  if (plan.behaviour.related.length > 0)
    docs.push(await relatedDocument(plan, input, { remote, local: serviceObject ?? desired.object }));
  return docs.join('---\n');
}

/** The inputs, checked to be what their flags say. */
function checkedInput(input: RenderInput): {
  pr: PublishedResource;
  crd: CustomResourceDefinition;
  remote: KubeObject;
  serviceObject: KubeObject | undefined;
} {
  if (!isPublishedResource(input.publishedResource)) throw new Error('--published-resource: not a PublishedResource');
  const crd = input.crd as CustomResourceDefinition;
  if (!isKubeObject(input.crd) || typeof (crd.spec as unknown) !== 'object')
    throw new Error('--crd: not a CustomResourceDefinition');
  if (!isKubeObject(input.object)) throw new Error('--object: not a Kubernetes object');
  const serviceObject = input.serviceObject;
  if (serviceObject !== undefined && !isKubeObject(serviceObject))
    throw new Error('--service-object: not a Kubernetes object');
  return { pr: input.publishedResource, crd, remote: input.object, serviceObject };
}

/** The related objects a sample produces, as one YAML document. */
async function relatedDocument(
  plan: ReturnType<typeof planFor>,
  input: RenderInput,
  primaries: { remote: KubeObject; local: KubeObject },
): Promise<string> {
  const related = await renderRelated(plan.behaviour, {
    ...primaries,
    clusterName: input.clusterName,
    clusterPath: plan.target.enableWorkspacePaths ? input.workspacePath : '',
    localHasStatus: plan.target.local.hasStatus,
    publishedResource: plan.target.publishedResource,
    objects: (input.relatedObjects ?? []).filter(isKubeObject),
  });
  return `# Related objects (spec.related)\n${stringify(related)}`;
}

/** The `render` subcommand: returns the exit code. */
export async function renderCommand(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      'published-resource': { type: 'string' },
      crd: { type: 'string' },
      object: { type: 'string' },
      'service-object': { type: 'string' },
      'cluster-name': { type: 'string' },
      'workspace-path': { type: 'string' },
      'agent-name': { type: 'string' },
      'related-object': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    out(RENDER_USAGE);
    return 0;
  }
  const read = (flag: 'published-resource' | 'crd' | 'object' | 'service-object'): unknown => {
    const file = values[flag];
    if (file === undefined) throw new Error(`--${flag} is required`);
    return parse(readFileSync(file, 'utf8')) as unknown;
  };
  const relatedObjects = (values['related-object'] ?? []).flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as unknown),
  );
  out(
    await render({
      publishedResource: read('published-resource'),
      crd: read('crd'),
      object: read('object'),
      ...(values['service-object'] === undefined ? {} : { serviceObject: read('service-object') }),
      relatedObjects,
      clusterName: values['cluster-name'] ?? 'demo-cluster',
      workspacePath: values['workspace-path'] ?? 'root:demo',
      agentName: values['agent-name'] ?? 'api-syncagent',
    }),
  );
  return 0;
}
