import type { PublishedResource } from '../apis/v1alpha1/published-resource.ts';
import { compileMutationSpec, type Mutator } from '../translate/mutation/index.ts';
import type { TemplateRenderer } from '../translate/naming.ts';
import { compileRelatedRules, type RelatedRule } from '../translate/related/rule.ts';
import { compileTemplate, createGoTemplates } from '../gotemplate/index.ts';

/**
 * The compiled parts of a PublishedResource the sync engine runs per object:
 * both mutation directions and the template engine for naming. Built once
 * per sync (and by the schema controller to validate a PublishedResource), so
 * a broken rule is reported before any object is touched.
 */
export interface SyncBehaviour {
  readonly specMutator: Mutator;
  readonly statusMutator: Mutator;
  readonly templates: TemplateRenderer;
  /** The `spec.related` rules, checked and compiled. */
  readonly related: readonly RelatedRule[];
}

/** A field of a PublishedResource that cannot be compiled, and why. */
export class InvalidFieldError extends Error {
  readonly field: string;

  constructor(field: string, message: string, options?: ErrorOptions) {
    super(message.startsWith(field) ? message : `${field}: ${message}`, options);
    this.name = 'InvalidFieldError';
    this.field = field;
  }
}

/**
 * Compiles a PublishedResource's mutations and naming templates. Throws
 * InvalidFieldError (or the mutation engine's MutationError, which also names
 * its field) for a template, regex, CEL expression or path that does not
 * compile.
 */
export function compileBehaviour(pr: PublishedResource): SyncBehaviour {
  const templates = createGoTemplates();
  for (const field of ['name', 'namespace'] as const) {
    const rule = pr.spec.naming?.[field];
    if (rule === undefined || !rule.includes('{{')) continue;
    try {
      compileTemplate(rule);
    } catch (err) {
      throw new InvalidFieldError(`spec.naming.${field}`, err instanceof Error ? err.message : String(err), {
        cause: err,
      });
    }
  }
  const mutators = compileMutationSpec(pr.spec.mutation, {
    templates,
    // Upstream renders mutation templates with sprig's functions only.
    compileTemplate: (source) => compileTemplate(source, { functions: 'sprig' }),
  });
  return {
    specMutator: mutators.spec,
    statusMutator: mutators.status,
    templates,
    related: compileRelatedRules(pr.spec.related),
  };
}

/** The field an error from compileBehaviour names, if any. */
export function invalidField(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'field' in err && typeof err.field === 'string') return err.field;
  return undefined;
}
