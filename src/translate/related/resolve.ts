import type {
  RelatedResourceObjectSelector,
  RelatedResourceObjectSpec,
} from '../../apis/v1alpha1/zz_generated.types.ts';
import type { KubeObject } from '../../kube/object.ts';
import {
  type LocateContext,
  pairedValues,
  type RelatedLister,
  rewriteName,
  selectorString,
  type SidePair,
  valuesOn,
} from './locate.ts';
import { RelatedRuleError, type RelatedRule, type Side } from './rule.ts';

/** Where one related object is on one side. */
export interface RelatedPlacement {
  readonly namespace: string;
  readonly name: string;
}

/**
 * One related object: where it is on each side, and what isolation must
 * check before the agent touches its service-side end.
 */
export interface RelatedPair {
  readonly kcp: RelatedPlacement;
  readonly service: RelatedPlacement;
  /**
   * The service-side namespace is the copy's own, or comes from the
   * provider's rules alone (it does not change when the consumer changes its
   * object). Otherwise the agent must not read or write there.
   */
  readonly serviceNamespaceTrusted: boolean;
  /**
   * The service-side object was chosen by consumer-controlled values (a
   * reference into the consumer's spec, a template over it, a selector built
   * from it): it may be used by this primary only, never shared.
   */
  readonly exclusive: boolean;
}

interface Valued extends SidePair {
  readonly trusted: boolean;
}

/**
 * The provider's view of the primaries: only what the consumer cannot
 * choose. The copy keeps its name and namespace (unique per namespace, so
 * names built from them are this primary's alone) and, when the service
 * type has a status subresource, its status (written by the provider's
 * operator); everything the consumer wrote is gone. A value computed the
 * same from this view as from the real objects is provider-controlled.
 */
export function providerView(ctx: LocateContext, localHasStatus: boolean): LocateContext {
  const local: KubeObject = {
    apiVersion: ctx.local.apiVersion,
    kind: ctx.local.kind,
    metadata: { name: ctx.local.metadata.name, namespace: ctx.local.metadata.namespace },
    ...(localHasStatus && ctx.local['status'] !== undefined ? { status: ctx.local['status'] } : {}),
  };
  const remote: KubeObject = { apiVersion: ctx.remote.apiVersion, kind: ctx.remote.kind, metadata: {} };
  return { ...ctx, local, remote };
}

/**
 * Resolves the related objects of one rule for one primary. Throws
 * RelatedRuleError (naming the field) for templates that fail, arrays of
 * different lengths and a cluster-scoped primary without `object.namespace`.
 */
export async function resolveRelated(
  rule: RelatedRule,
  ctx: LocateContext,
  list: RelatedLister,
  localHasStatus: boolean,
): Promise<RelatedPair[]> {
  const neutral = providerView(ctx, localHasStatus);
  const at = `spec.related[${rule.index}].object`;
  const env: Env = { ctx, neutral, list };
  const namespaces = await resolveNamespaces(rule, env);
  const pairs = new Map<string, RelatedPair>();
  const obj = rule.spec.object;
  for (const ns of namespaces) {
    const names =
      obj.selector === undefined
        ? valued(obj, env, at, () => false)
        : await selected(rule, obj.selector, env, { namespace: ns, field: at });
    for (const n of names) {
      const pair: RelatedPair = {
        kcp: { namespace: ns.kcp, name: n.kcp },
        service: { namespace: ns.service, name: n.service },
        serviceNamespaceTrusted: ns.trusted,
        exclusive: !n.trusted,
      };
      pairs.set(`${ns.kcp}/${n.kcp}`, pair);
    }
  }
  return [...pairs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
}

/** The primaries, their provider view, and the lister for selectors. */
interface Env {
  readonly ctx: LocateContext;
  readonly neutral: LocateContext;
  readonly list: RelatedLister;
}

async function resolveNamespaces(rule: RelatedRule, env: Env): Promise<Valued[]> {
  const spec = rule.spec.object.namespace;
  const at = `spec.related[${rule.index}].object.namespace`;
  const localNs = env.ctx.local.metadata.namespace ?? '';
  if (spec === undefined) {
    const kcp = env.ctx.remote.metadata.namespace ?? '';
    if (kcp === '' || localNs === '')
      throw new RelatedRuleError(at, 'is required when the primary object is cluster-scoped');
    return [{ kcp, service: localNs, trusted: true }];
  }
  if (spec.selector === undefined) return valued(spec, env, at, (service) => service === localNs);
  return selected(rule, spec.selector, env, { field: at });
}

/** Reference/template values on both sides, with whether the service side is provider-controlled. */
function valued(
  spec: RelatedResourceObjectSpec,
  env: Env,
  at: string,
  alsoTrusted: (service: string) => boolean,
): Valued[] {
  const pairs = pairedValues(spec, env.ctx, at);
  let providerValues: string[] | undefined;
  try {
    providerValues = valuesOn(spec, env.neutral, { side: 'service', field: at });
  } catch {
    // The provider's view lacks what the rule reads: the value is the consumer's.
    providerValues = undefined;
  }
  return pairs.map((p, i) => ({ ...p, trusted: alsoTrusted(p.service) || providerValues?.[i] === p.service }));
}

/**
 * Objects (with `namespace`) or namespaces found by a selector on the origin
 * side, each mapped to its destination name by `rewrite`.
 */
async function selected(
  rule: RelatedRule,
  sel: RelatedResourceObjectSelector,
  env: Env,
  where: { namespace?: Valued; field: string },
): Promise<Valued[]> {
  const { ctx, neutral, list } = env;
  const origin: Side = rule.origin;
  const selector = selectorString(sel, ctx, where.field);
  let providerSelector: string | undefined;
  try {
    providerSelector = selectorString(sel, neutral, where.field);
  } catch {
    providerSelector = undefined;
  }
  const selectorTrusted = providerSelector === selector;
  const ns =
    where.namespace === undefined ? undefined : origin === 'kcp' ? where.namespace.kcp : where.namespace.service;
  const found = await list(origin, selector, ns);
  const localNs = ctx.local.metadata.namespace ?? '';
  return found
    .map((o): Valued => {
      const name = o.metadata.name ?? '';
      const rewritten = rewriteName(sel, ctx, { name, object: ns === undefined ? undefined : o }, where.field);
      const service = origin === 'service' ? name : rewritten;
      // Found on the service side by provider-controlled labels: the provider's choice.
      // Found in kcp: the consumer picked the name, only the copy's own namespace is safe.
      const trusted = origin === 'service' ? selectorTrusted : where.namespace === undefined && service === localNs;
      return origin === 'service' ? { kcp: rewritten, service, trusted } : { kcp: name, service, trusted };
    })
    .filter((v) => v.kcp !== '' && v.service !== '');
}
