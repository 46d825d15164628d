// The related-objects part of `api-syncagent render`: where each related
// rule of a PublishedResource finds its objects for a sample, and, for the
// sample related objects given, the copies the agent would write. Selectors
// are answered from the given objects, so no cluster is needed.
import type { KubeObject } from './kube/object.ts';
import type { SyncBehaviour } from './sync/behaviour.ts';
import { matchesSelector, parseSelector } from './translate/label-selector.ts';
import { desiredRelatedCopy, relatedOwner } from './translate/related/copy.ts';
import type { LocateContext, RelatedLister } from './translate/related/locate.ts';
import { resolveRelated } from './translate/related/resolve.ts';
import { relatedApiVersion, type RelatedRule, type Side } from './translate/related/rule.ts';

export interface RelatedSample {
  /** The consumer object in kcp and its copy on the service cluster. */
  readonly remote: KubeObject;
  readonly local: KubeObject;
  readonly clusterName: string;
  readonly clusterPath: string;
  readonly localHasStatus: boolean;
  readonly publishedResource: string;
  /** Sample related objects on their origin side (matched by apiVersion, namespace and name). */
  readonly objects: readonly KubeObject[];
}

/** One YAML-ready document per related rule: where it looks, what it finds, what it writes. */
export async function renderRelated(
  behaviour: SyncBehaviour,
  sample: RelatedSample,
): Promise<Record<string, unknown>[]> {
  const ctx: LocateContext = {
    remote: sample.remote,
    local: sample.local,
    clusterName: sample.clusterName,
    clusterPath: sample.clusterPath,
    renderer: behaviour.templates,
  };
  const docs: Record<string, unknown>[] = [];
  for (const rule of behaviour.related) {
    try {
      const pairs = await resolveRelated(rule, ctx, sampleLister(rule, sample.objects), sample.localHasStatus);
      docs.push({
        rule: rule.field,
        origin: rule.origin,
        objects: pairs.map((pair) => {
          const destSide: Side = rule.origin === 'kcp' ? 'service' : 'kcp';
          const origin = sample.objects.find(
            (o) =>
              o.apiVersion === relatedApiVersion(rule.originType) &&
              o.metadata.namespace === pair[rule.origin].namespace &&
              o.metadata.name === pair[rule.origin].name,
          );
          const owner =
            destSide === 'service'
              ? relatedOwner(
                  sample.publishedResource,
                  `${sample.clusterName}|${sample.remote.metadata.namespace ?? ''}|${sample.remote.metadata.name ?? ''}`,
                )
              : undefined;
          return {
            kcp: pair.kcp,
            service: pair.service,
            ...(pair.serviceNamespaceTrusted
              ? {}
              : { refused: 'the service-side namespace is derived from consumer-controlled values' }),
            ...(pair.exclusive ? { exclusive: true } : {}),
            ...(origin === undefined
              ? {}
              : { copy: desiredRelatedCopy(rule, origin, pair[destSide], { kind: origin.kind ?? '', owner }) }),
          };
        }),
      });
    } catch (err) {
      docs.push({ rule: rule.field, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return docs;
}

/** Selectors list the sample objects (or their namespaces) of the rule's origin type. */
function sampleLister(rule: RelatedRule, objects: readonly KubeObject[]): RelatedLister {
  return (side, selector, namespace) => {
    const reqs = parseSelector(selector);
    const ofType = objects.filter((o) => o.apiVersion === relatedApiVersion(rule.originType) && side === rule.origin);
    if (namespace === undefined) {
      return Promise.resolve(
        [...new Set(ofType.map((o) => o.metadata.namespace ?? ''))].map((name): KubeObject => ({ metadata: { name } })),
      );
    }
    return Promise.resolve(
      ofType.filter((o) => o.metadata.namespace === namespace && matchesSelector(reqs, o.metadata.labels)),
    );
  };
}
