/**
 * Compiles a PublishedResource's `spec.mutation` into Mutators, once per
 * PublishedResource: paths, regular expressions and CEL programs are checked
 * and compiled here, so a broken rule is reported before any object is synced.
 */
import type { ResourceMutation, ResourceMutationSpec } from '../../apis/v1alpha1/published-resource.ts';
import { isKubeObject, isRecord, type KubeObject } from '../../kube/object.ts';
import { compileCEL } from './cel.ts';
import { compileDelete } from './delete.ts';
import { compileRegex } from './regex.ts';
import { compileTemplate } from './template.ts';
import { MutationError, type CompiledRule, type Mutator, type MutationDeps } from './types.ts';

/** The mutator for no rules: apply returns its input. */
export const IDENTITY_MUTATOR: Mutator = Object.freeze({
  apply: (obj: KubeObject): KubeObject => obj,
  isIdentity: true,
});

const KINDS = ['delete', 'regex', 'template', 'cel'] as const;

/**
 * Compiles one direction's rules (`spec.mutation.spec` or
 * `spec.mutation.status`; `field` names it in errors). No rules give the
 * identity mutator. Throws MutationError naming the offending field, e.g.
 * `spec.mutation.spec[2]: exactly one of delete, regex, template, cel must
 * be set` (upstream silently uses the first one set) or
 * `spec.mutation.status[0].cel.expression: failed to compile CEL expression: ...`.
 */
export function compileMutations(
  rules: readonly ResourceMutation[] | undefined,
  deps: MutationDeps,
  field = 'spec.mutation.spec',
): Mutator {
  if (rules === undefined || rules.length === 0) return IDENTITY_MUTATOR;
  const compiled = rules.map((rule, i) => compileRule(rule, `${field}[${i}]`, deps));
  return {
    isIdentity: false,
    apply: (obj, other) => applyRules(compiled, obj, other),
  };
}

/** Both directions of a `spec.mutation` block. */
export function compileMutationSpec(
  spec: ResourceMutationSpec | undefined,
  deps: MutationDeps,
): { spec: Mutator; status: Mutator } {
  return {
    spec: compileMutations(spec?.spec, deps, 'spec.mutation.spec'),
    status: compileMutations(spec?.status, deps, 'spec.mutation.status'),
  };
}

function compileRule(rule: unknown, field: string, deps: MutationDeps): CompiledRule {
  if (!isRecord(rule)) throw new MutationError(field, 'must be an object');
  const set = KINDS.filter((k) => rule[k] !== undefined && rule[k] !== null);
  const [kind] = set;
  if (set.length !== 1 || kind === undefined) {
    throw new MutationError(field, `exactly one of ${KINDS.join(', ')} must be set`);
  }
  const spec = rule[kind];
  const at = `${field}.${kind}`;
  if (!isRecord(spec)) throw new MutationError(at, 'must be an object');
  switch (kind) {
    case 'delete':
      return compileDelete(spec as { path: string }, at);
    case 'regex':
      return compileRegex(spec as { path: string }, at);
    case 'template':
      return compileTemplate(spec as { path: string; template: string }, at, deps);
    case 'cel':
      return compileCEL(spec as { path: string; expression: string }, at);
  }
}

function applyRules(rules: readonly CompiledRule[], obj: KubeObject, other: KubeObject | undefined): KubeObject {
  let doc = structuredClone(obj);
  for (const rule of rules) {
    let out: unknown;
    try {
      out = rule.apply(doc, other);
    } catch (err) {
      if (err instanceof MutationError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new MutationError(rule.field, `failed to apply mutation: ${message}`, { cause: err });
    }
    if (!isKubeObject(out)) {
      throw new MutationError(
        rule.field,
        'the result is no longer a Kubernetes object (metadata must remain an object)',
      );
    }
    doc = out;
  }
  return doc;
}
