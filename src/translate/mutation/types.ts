/**
 * Shared types of the mutation engine (the compiled mutator the syncer calls,
 * the error it throws, what each rule compiles to) and the path check every
 * rule kind shares.
 */
import type { KubeObject } from '../../kube/object.ts';
import { JsonPathError, compileJsonPath, type JsonPath } from '../../gjson/json-path-syntax.ts';
import type { TemplateRenderer } from '../naming.ts';

/**
 * A mutation rule that cannot be compiled (thrown by compileMutations) or
 * that failed on one object (thrown by Mutator.apply). `field` names the
 * offending part of the PublishedResource, e.g.
 * `spec.mutation.status[0].cel.expression`; the message starts with it.
 */
export class MutationError extends Error {
  readonly field: string;

  constructor(field: string, message: string, options?: ErrorOptions) {
    super(`${field}: ${message}`, options);
    this.name = 'MutationError';
    this.field = field;
  }
}

/**
 * The compiled rules of one direction (`spec.mutation.spec` or
 * `spec.mutation.status`), applied in order.
 */
export interface Mutator {
  /**
   * Applies the rules to `obj` and returns the result as a new object; the
   * identity mutator returns `obj` itself. Neither argument is modified.
   * `other` is the object on the other side, undefined when there is none yet.
   * Pure and synchronous; throws MutationError when a rule fails on this
   * object (e.g. a CEL evaluation error).
   */
  apply(obj: KubeObject, other: KubeObject | undefined): KubeObject;
  /** True when there are no rules, so apply returns its input unchanged. */
  readonly isIdentity: boolean;
}

/** What compiling mutations needs from the rest of the agent. */
export interface MutationDeps {
  /** The Go-template engine (text/template + sprig) that renders `template` rules. */
  templates: TemplateRenderer;
  /**
   * Optional: compiles a template once, for running many times. When given,
   * it is used instead of `templates`, and a broken template fails
   * compileMutations instead of the first object. Wire it to the engine's
   * sprig-only function set: upstream's mutation templates have sprig's
   * functions (sprig's `join SEP LIST`), not the naming helpers.
   */
  compileTemplate?: (source: string) => { execute(data: unknown): string };
  /**
   * Optional, when `compileTemplate` is not given: parses a template without
   * running it (throwing on syntax errors and unknown functions), so broken
   * templates fail compileMutations; `templates` still renders them.
   */
  checkTemplate?: (source: string) => void;
}

/** One compiled rule: the syncer never sees these, only the Mutator. */
export interface CompiledRule {
  /** The rule's field, e.g. `spec.mutation.spec[2].regex`. */
  readonly field: string;
  /**
   * Returns the mutated document; must not modify `doc` or `other`. May
   * return a value that is no longer a Kubernetes object (the mutator checks).
   */
  apply(doc: KubeObject, other: KubeObject | undefined): unknown;
}

/**
 * Compiles the `path` of the rule at `field`, throwing MutationError naming
 * `<field>.path` when it is missing or not a path this engine supports.
 */
export function compileRulePath(rule: { path?: unknown }, field: string): JsonPath {
  const { path } = rule;
  if (typeof path !== 'string') throw new MutationError(`${field}.path`, 'must be a string');
  try {
    return compileJsonPath(path);
  } catch (err) {
    if (err instanceof JsonPathError)
      throw new MutationError(`${field}.path`, `invalid path "${path}": ${err.message}`, { cause: err });
    throw err;
  }
}

/** Whether a rule field holds a string (absent counts as the empty string when `optional`). */
export function requireString(value: unknown, field: string, optional = false): string {
  if (typeof value === 'string') return value;
  if (optional && (value === undefined || value === null)) return '';
  throw new MutationError(field, 'must be a string');
}
