import type { RelatedResourceSpec, ResourceMutationSpec } from '../../apis/v1alpha1/zz_generated.types.ts';
import { compileMutations, type Mutator } from '../mutation/index.ts';
import { compileTemplate, goTemplates } from '../../gotemplate/index.ts';
import { compileJsonPath } from '../../gjson/json-path-syntax.ts';
import { Regexp } from '../../regexp/regexp.ts';
import { fromLabelSelector } from '../label-selector.ts';

/** A related type on one side: where its objects live (always namespaced). */
export interface RelatedType {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

/** Which side of the sync an object or value belongs to (upstream's `.Side`). */
export type Side = 'kcp' | 'service';

/**
 * One `spec.related[]` entry, checked and compiled once per sync: the types
 * on both sides, the compiled mutations, and the raw location rules (their
 * templates are compiled here to report errors early, and rendered by the
 * shared template engine at resolution time).
 */
export interface RelatedRule {
  readonly index: number;
  readonly identifier: string;
  /** How events and conditions name it: `spec.related[0] (credentials)`. */
  readonly field: string;
  readonly origin: Side;
  readonly originType: RelatedType;
  readonly destinationType: RelatedType;
  readonly identityHash?: string | undefined;
  readonly cleanup: boolean;
  readonly syncStatus: boolean;
  readonly spec: RelatedResourceSpec;
  readonly specMutator: Mutator;
  readonly statusMutator: Mutator;
}

/** A related rule that cannot be used, naming its field. */
export class RelatedRuleError extends Error {
  readonly field: string;
  constructor(field: string, message: string, options?: ErrorOptions) {
    super(`${field}: ${message}`, options);
    this.name = 'RelatedRuleError';
    this.field = field;
  }
}

export const typeOn = (rule: RelatedRule, side: Side): RelatedType =>
  rule.origin === side ? rule.originType : rule.destinationType;

/** The collection path of a related type, in one namespace. */
export function relatedCollectionPath(t: RelatedType, namespace: string): string {
  const base = t.group === '' ? `/api/${t.version}` : `/apis/${t.group}/${t.version}`;
  return `${base}/namespaces/${namespace}/${t.resource}`;
}

export function relatedApiVersion(t: RelatedType): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}

const IDENTIFIER = /^(?=.{1,56}$)[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;

/** The legacy `kind` shorthand's core types. */
const LEGACY_KINDS: Readonly<Record<string, string>> = { ConfigMap: 'configmaps', Secret: 'secrets' };

/**
 * Checks and compiles `spec.related`; throws RelatedRuleError naming the
 * first bad field (the same rules as the CRD's CEL validations, plus
 * templates, regexes, paths, selectors and mutations that do not compile).
 */
export function compileRelatedRules(related: readonly RelatedResourceSpec[] | undefined): RelatedRule[] {
  const seen = new Set<string>();
  return (related ?? []).map((spec, index) => {
    const at = `spec.related[${index}]`;
    // It becomes part of an annotation key (`<prefix><identifier>.<index>`), whose name part allows these.
    if (!IDENTIFIER.test(spec.identifier))
      throw new RelatedRuleError(
        `${at}.identifier`,
        'must be letters, digits, "-", "_" or "." (starting and ending alphanumeric), at most 56 characters',
      );
    if (seen.has(spec.identifier)) throw new RelatedRuleError(`${at}.identifier`, `"${spec.identifier}" is used twice`);
    seen.add(spec.identifier);
    const field = `${at} (${spec.identifier})`;
    const originType = originTypeOf(spec, at);
    const destinationType: RelatedType = {
      group: spec.projection?.group ?? originType.group,
      version: nonEmpty(spec.projection?.version) ?? originType.version,
      resource: nonEmpty(spec.projection?.resource) ?? originType.resource,
    };
    checkObjectRules(spec, at);
    const mutators = compileRelatedMutations(spec.mutation, at);
    return {
      index,
      identifier: spec.identifier,
      field,
      origin: spec.origin,
      originType,
      destinationType,
      identityHash: nonEmpty(spec.identityHash),
      cleanup: spec.cleanup === true,
      syncStatus: spec.syncStatus === true,
      spec,
      specMutator: mutators.spec,
      statusMutator: mutators.status,
    };
  });
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

function originTypeOf(spec: RelatedResourceSpec, at: string): RelatedType {
  if (spec.origin !== 'service' && spec.origin !== 'kcp')
    throw new RelatedRuleError(`${at}.origin`, 'must be "service" or "kcp"');
  if (spec.syncStatus === true && spec.origin === 'service' && spec.watch === undefined)
    throw new RelatedRuleError(`${at}.syncStatus`, 'needs watch for service-origin objects');
  return spec.kind !== undefined ? legacyType(spec, at) : resourceType(spec, at);
}

/** The deprecated `kind` shorthand. */
function legacyType(spec: RelatedResourceSpec, at: string): RelatedType {
  if (
    spec.version !== undefined ||
    spec.resource !== undefined ||
    spec.group !== undefined ||
    spec.identityHash !== undefined
  ) {
    throw new RelatedRuleError(`${at}.kind`, 'cannot be combined with group, version, resource or identityHash');
  }
  const resource = LEGACY_KINDS[spec.kind ?? ''];
  if (resource === undefined) throw new RelatedRuleError(`${at}.kind`, 'must be ConfigMap or Secret');
  return { group: '', version: 'v1', resource };
}

function resourceType(spec: RelatedResourceSpec, at: string): RelatedType {
  const version = nonEmpty(spec.version);
  const resource = nonEmpty(spec.resource);
  if (version === undefined || resource === undefined)
    throw new RelatedRuleError(`${at}.resource`, 'set version and resource (or the deprecated kind)');
  if (spec.identityHash !== undefined && nonEmpty(spec.group) === undefined)
    throw new RelatedRuleError(`${at}.identityHash`, 'needs group, version and resource');
  return { group: spec.group ?? '', version, resource };
}

function checkObjectRules(spec: RelatedResourceSpec, at: string): void {
  checkLocator(spec.object, `${at}.object`);
  if (spec.object.namespace !== undefined) checkLocator(spec.object.namespace, `${at}.object.namespace`);
  const w = spec.watch;
  if (w !== undefined && (w.byOwner === undefined) === (w.bySelector === undefined))
    throw new RelatedRuleError(`${at}.watch`, 'set exactly one of byOwner or bySelector');
  if (w?.bySelector !== undefined) guard(`${at}.watch.bySelector`, () => fromLabelSelector(w.bySelector));
}

type Locator = Pick<RelatedResourceSpec['object'], 'reference' | 'template' | 'selector'>;

function checkLocator(loc: Locator, at: string): void {
  const set = (['reference', 'template', 'selector'] as const).filter((k) => loc[k] !== undefined);
  if (set.length !== 1) throw new RelatedRuleError(at, 'set exactly one of reference, template or selector');
  if (loc.reference !== undefined) {
    const ref = loc.reference;
    guard(`${at}.reference.path`, () => compileJsonPath(ref.path));
    checkRegex(ref.regex?.pattern, `${at}.reference.regex.pattern`);
  }
  if (loc.template !== undefined) checkTemplate(loc.template.template, `${at}.template.template`);
  if (loc.selector !== undefined) {
    const sel = loc.selector;
    for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
      checkTemplate(k, `${at}.selector.matchLabels`);
      checkTemplate(v ?? '', `${at}.selector.matchLabels`);
    }
    guard(`${at}.selector.matchExpressions`, () => fromLabelSelector({ matchExpressions: sel.matchExpressions ?? [] }));
    const rw = sel.rewrite;
    if ((rw.regex === undefined) === (rw.template === undefined))
      throw new RelatedRuleError(`${at}.selector.rewrite`, 'set exactly one of regex or template');
    checkRegex(rw.regex?.pattern, `${at}.selector.rewrite.regex.pattern`);
    if (rw.template !== undefined) checkTemplate(rw.template.template, `${at}.selector.rewrite.template.template`);
  }
}

function checkTemplate(source: string | undefined, field: string): void {
  if (source === undefined || source === '') throw new RelatedRuleError(field, 'must not be empty');
  if (source.includes('{{')) guard(field, () => compileTemplate(source));
}

function checkRegex(pattern: string | undefined, field: string): void {
  if (pattern !== undefined && pattern !== '') guard(field, () => Regexp.compile(pattern));
}

function guard(field: string, body: () => unknown): void {
  try {
    body();
  } catch (err) {
    throw new RelatedRuleError(field, err instanceof Error ? err.message : String(err), { cause: err });
  }
}

function compileRelatedMutations(
  spec: ResourceMutationSpec | undefined,
  at: string,
): { spec: Mutator; status: Mutator } {
  const deps = {
    templates: goTemplates,
    compileTemplate: (source: string) => compileTemplate(source, { functions: 'sprig' as const }),
  };
  try {
    return {
      spec: compileMutations(spec?.spec, deps, `${at}.mutation.spec`),
      status: compileMutations(spec?.status, deps, `${at}.mutation.status`),
    };
  } catch (err) {
    const field =
      typeof err === 'object' && err !== null && 'field' in err && typeof err.field === 'string'
        ? err.field
        : `${at}.mutation`;
    throw new RelatedRuleError(field, err instanceof Error ? err.message : String(err), { cause: err });
  }
}
