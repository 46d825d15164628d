import type {
  RelatedResourceObjectReference,
  RelatedResourceObjectSelector,
  RelatedResourceObjectSpec,
} from '../../apis/v1alpha1/zz_generated.types.ts';
import type { KubeObject } from '../../kube/object.ts';
import { Regexp } from '../../regexp/regexp.ts';
import { gjsonResultOf } from '../../gjson/gjson-result.ts';
import { getResult } from '../../gjson/json-path.ts';
import type { TemplateRenderer } from '../naming.ts';
import { compileTemplate, type CompiledTemplate, fromKubernetesJSON } from '../../gotemplate/index.ts';
import { RelatedRuleError, type Side } from './rule.ts';

/**
 * Where related objects are, resolved from a primary object and its copy
 * (pure; listing for selectors is injected). Semantics are upstream's:
 * references and templates are evaluated on both sides, so names changed by
 * mutations come out right on each; a missing reference means "not yet";
 * pairs with an empty value on either side are skipped.
 */

/** Both primaries and what templates see about them. */
export interface LocateContext {
  /** The consumer object in kcp. */
  readonly remote: KubeObject;
  /** Its copy on the service cluster. */
  readonly local: KubeObject;
  readonly clusterName: string;
  readonly clusterPath: string;
  readonly renderer: TemplateRenderer;
}

/** Lists objects (or, without a namespace, namespaces) on one side by a label selector string. */
export type RelatedLister = (side: Side, selector: string, namespace?: string) => Promise<KubeObject[]>;

/** One value per side. */
export interface SidePair {
  readonly kcp: string;
  readonly service: string;
}

/** The primary object on one side, as upstream's templates and paths see it. */
export const primaryOn = (ctx: LocateContext, side: Side): KubeObject => (side === 'kcp' ? ctx.remote : ctx.local);

/** The values a reference path yields on one object: one per array element, none when missing. */
export function referenceValues(ref: RelatedResourceObjectReference, obj: KubeObject): string[] | undefined {
  const res = getResult(obj, ref.path);
  if (!res.exists) return undefined;
  const values = Array.isArray(res.value) ? res.value.map((v) => gjsonResultOf(v).string()) : [res.string()];
  const pattern = ref.regex?.pattern ?? '';
  const replacement = ref.regex?.replacement ?? '';
  if (ref.regex === undefined) return values;
  if (pattern === '') return values.map(() => replacement);
  const re = Regexp.compile(pattern);
  return values.map((v) => re.replaceAllString(v, replacement));
}

/** Upstream's `.Side`/`.Object`/`.ClusterName`/`.ClusterPath` template data. */
export function sideTemplateData(
  ctx: LocateContext,
  side: Side,
  object: KubeObject = primaryOn(ctx, side),
): Record<string, unknown> {
  return { Side: side, Object: object, ClusterName: ctx.clusterName, ClusterPath: ctx.clusterPath };
}

/** Where a reference or template rule is evaluated: one side, optionally on another object than that side's primary. */
export interface Evaluation {
  readonly side: Side;
  /** The rule's field, for errors. */
  readonly field: string;
  readonly object?: KubeObject | undefined;
}

/** The value of a reference or template rule on one side; undefined = "not yet". */
export function valuesOn(spec: RelatedResourceObjectSpec, ctx: LocateContext, at: Evaluation): string[] | undefined {
  const obj = at.object ?? primaryOn(ctx, at.side);
  if (spec.reference !== undefined) return referenceValues(spec.reference, obj);
  const template = spec.template?.template ?? '';
  try {
    return [ctx.renderer.render(template, sideTemplateData(ctx, at.side, obj))];
  } catch (err) {
    throw new RelatedRuleError(`${at.field}.template.template`, err instanceof Error ? err.message : String(err), {
      cause: err,
    });
  }
}

/**
 * Pairs the values of a reference or template rule on both sides; arrays
 * must yield equally many values, and pairs with an empty side are skipped.
 */
export function pairedValues(spec: RelatedResourceObjectSpec, ctx: LocateContext, field: string): SidePair[] {
  const kcp = valuesOn(spec, ctx, { side: 'kcp', field });
  const service = valuesOn(spec, ctx, { side: 'service', field });
  if (kcp === undefined || service === undefined) return [];
  if (kcp.length !== service.length) {
    throw new RelatedRuleError(
      `${field}.reference.path`,
      `yields ${kcp.length} value(s) in kcp but ${service.length} on the service side`,
    );
  }
  return kcp.map((k, i) => ({ kcp: k, service: service[i] ?? '' })).filter((p) => p.kcp !== '' && p.service !== '');
}

/**
 * The label selector string of a selector rule, with upstream's templated
 * keys and values. These templates get sprig's functions only (its
 * `join SEP LIST`), as upstream's do.
 */
export function selectorString(sel: RelatedResourceObjectSelector, ctx: LocateContext, field: string): string {
  const data = {
    LocalObject: ctx.local,
    RemoteObject: ctx.remote,
    ClusterName: ctx.clusterName,
    ClusterPath: ctx.clusterPath,
  };
  const sprig: LocateContext = { ...ctx, renderer: SPRIG_RENDERER };
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const key = render(sprig, k, data, `${field}.selector.matchLabels`);
    if (key === '') continue;
    parts.push(`${key}=${render(sprig, v ?? '', data, `${field}.selector.matchLabels`)}`);
  }
  for (const e of sel.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/** An object (or namespace: no object) a selector found. */
export interface Found {
  readonly name: string;
  readonly object?: KubeObject | undefined;
}

/** The destination name of an object (or namespace) found by a selector. */
export function rewriteName(
  sel: RelatedResourceObjectSelector,
  ctx: LocateContext,
  found: Found,
  field: string,
): string {
  const rw = sel.rewrite;
  if (rw.regex !== undefined) {
    const pattern = rw.regex.pattern ?? '';
    const replacement = rw.regex.replacement ?? '';
    return pattern === '' ? replacement : Regexp.compile(pattern).replaceAllString(found.name, replacement);
  }
  const data = {
    Value: found.name,
    RelatedObject: found.object ?? null,
    LocalObject: ctx.local,
    RemoteObject: ctx.remote,
    ClusterName: ctx.clusterName,
    ClusterPath: ctx.clusterPath,
  };
  return render(ctx, rw.template?.template ?? '', data, `${field}.selector.rewrite.template.template`);
}

function render(ctx: LocateContext, template: string, data: unknown, field: string): string {
  if (!template.includes('{{')) return template.trim();
  try {
    return ctx.renderer.render(template, data);
  } catch (err) {
    throw new RelatedRuleError(field, err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** Renders with sprig's function set (compiled templates cached by source), trimmed like upstream. */
const SPRIG_RENDERER: TemplateRenderer = (() => {
  const cache = new Map<string, CompiledTemplate>();
  return {
    render(template: string, data: unknown): string {
      let compiled = cache.get(template);
      if (compiled === undefined) {
        compiled = compileTemplate(template, { functions: 'sprig' });
        cache.set(template, compiled);
      }
      return compiled.execute(fromKubernetesJSON(data)).trim();
    },
  };
})();
