/** The `delete` rule: removes the value at a path (sjson `Delete`). */
import type { ResourceDeleteMutation } from '../../apis/v1alpha1/published-resource.ts';
import { deletePath } from '../../gjson/json-path-write.ts';
import { MutationError, compileRulePath, type CompiledRule } from './types.ts';

/**
 * Compiles a `delete` rule found at `field` (e.g. `spec.mutation.spec[0].delete`).
 * Throws MutationError for a bad path, including paths with wildcards or `#`,
 * which sjson cannot delete from (upstream fails on every object instead).
 */
export function compileDelete(rule: ResourceDeleteMutation, field: string): CompiledRule {
  const path = compileRulePath(rule, field);
  if (path.setParts === undefined) {
    throw new MutationError(`${field}.path`, 'cannot delete through a path with wildcards, queries or `#`');
  }
  return {
    field,
    apply: (doc) => deletePath(doc, path),
  };
}
