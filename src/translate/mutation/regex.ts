/**
 * The `regex` rule: rewrites the value at a path with a Go regular
 * expression (RE2 syntax, `$1`/`${name}` replacements). An empty pattern
 * replaces the whole value with the replacement. Otherwise the value's
 * gjson `String()` form is used (numbers and booleans as text, objects and
 * arrays as Go's JSON), and the result is always written as a string.
 */
import type { ResourceRegexMutation } from '../../apis/v1alpha1/published-resource.ts';
import { getResult } from '../../gjson/json-path.ts';
import { setPath } from '../../gjson/json-path-write.ts';
import { Regexp, RegexpSyntaxError } from '../../regexp/regexp.ts';
import { MutationError, compileRulePath, requireString, type CompiledRule } from './types.ts';

/**
 * Compiles a `regex` rule found at `field` (e.g. `spec.mutation.spec[0].regex`).
 * Throws MutationError naming `<field>.pattern` for patterns Go's regexp
 * package rejects, and `<field>.path` for bad paths.
 */
export function compileRegex(rule: ResourceRegexMutation, field: string): CompiledRule {
  const path = compileRulePath(rule, field);
  const pattern = requireString(rule.pattern, `${field}.pattern`, true);
  const replacement = requireString(rule.replacement, `${field}.replacement`, true);
  if (pattern === '') return { field, apply: (doc) => setPath(doc, path, replacement) };
  let re: Regexp;
  try {
    re = Regexp.compile(pattern);
  } catch (err) {
    if (!(err instanceof RegexpSyntaxError)) throw err;
    throw new MutationError(`${field}.pattern`, `invalid pattern "${pattern}": ${err.message}`, { cause: err });
  }
  return {
    field,
    apply: (doc) => setPath(doc, path, re.replaceAllString(getResult(doc, path).string(), replacement)),
  };
}
