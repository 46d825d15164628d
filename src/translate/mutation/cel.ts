/**
 * The `cel` rule: replaces the value at a path with the result of a CEL
 * expression, evaluated by @bufbuild/cel (a conformance-tested CEL
 * implementation) with the same standard library upstream's cel-go
 * environment has: no extensions, no optional syntax.
 *
 * Variables, all of type dyn, as upstream declares them:
 * - `value`: the value at `path` (gjson's `Value()`, so numbers are doubles;
 *   null when missing);
 * - `self`: the object being mutated; `other`: the object on the other side,
 *   null when there is none. Their integer fields are CEL ints and other
 *   numbers doubles, as Kubernetes decodes objects.
 *
 * The result is written back as plain JSON: ints and uints become numbers,
 * bytes base64, timestamps and durations their CEL string form; NaN,
 * infinities, maps with non-string keys and type values are errors
 * (cel-values.ts). Expressions are checked as cel-go's Compile checks them
 * (cel-check.ts) before they are planned.
 */
import type { CelFunc, CelInput, CelResult } from '@bufbuild/cel';
import type { ResourceCELMutation } from '../../apis/v1alpha1/published-resource.ts';
import { formatFloatG } from '../../gjson/go-json.ts';
import { getResult } from '../../gjson/json-path.ts';
import { setPath } from '../../gjson/json-path-write.ts';
import { checkExpression } from './cel-check.ts';
import { celLibrary } from './cel-library.ts';
import { DURATION, TIMESTAMP, formatDuration, formatTimestamp, fromCel, secondsNanos, toCel } from './cel-values.ts';
import { MutationError, compileRulePath, requireString, type CompiledRule } from './types.ts';

const VARIABLE_NAMES = ['value', 'self', 'other'] as const;

/**
 * Where @bufbuild/cel's standard functions differ from cel-go's: `string()`
 * of doubles, timestamps and durations (Go's `%g`; RFC 3339 with only the
 * needed fraction digits; seconds with only the needed decimals) and
 * `timestamp(int)` (seconds, not milliseconds).
 */
function goCompatibleFunctions(): CelFunc[] {
  const { CelScalar, celFunc, objectType } = celLibrary();
  return [
    celFunc('string', [CelScalar.DOUBLE], CelScalar.STRING, (x) => formatFloatG(x)),
    celFunc('string', [objectType(TIMESTAMP)], CelScalar.STRING, (x) => formatTimestamp(secondsNanos(x))),
    celFunc('string', [objectType(DURATION)], CelScalar.STRING, (x) => formatDuration(secondsNanos(x))),
    celFunc('timestamp', [CelScalar.INT], objectType(TIMESTAMP), (x) => timestampFromSeconds(x)),
  ];
}

// The Unix seconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, CEL's timestamp range.
const MIN_UNIX_SECONDS = -62135596800n;
const MAX_UNIX_SECONDS = 253402300799n;

/** cel-go's `timestamp(int)`: seconds since the epoch (@bufbuild/cel reads milliseconds). */
function timestampFromSeconds(seconds: bigint): { $typeName: string; seconds: bigint; nanos: number } {
  if (seconds < MIN_UNIX_SECONDS || seconds > MAX_UNIX_SECONDS) throw new Error('timestamp overflow');
  return { $typeName: TIMESTAMP, seconds, nanos: 0 };
}

/**
 * Compiles a `cel` rule found at `field` (e.g. `spec.mutation.spec[3].cel`):
 * parses the expression, checks names, function overloads and the types of
 * literals the way cel-go's type checker does, and plans it once. Throws
 * MutationError naming `<field>.expression` or `<field>.path`.
 */
export function compileCEL(rule: ResourceCELMutation, field: string): CompiledRule {
  const path = compileRulePath(rule, field);
  const expression = requireString(rule.expression, `${field}.expression`);
  const program = compileProgram(expression, `${field}.expression`);
  return {
    field,
    apply(doc, other) {
      const result = program({
        value: toCel(getResult(doc, path).value, false),
        self: toCel(doc, true),
        other: other === undefined ? null : toCel(other, true),
      });
      if (celLibrary().isCelError(result)) {
        throw new MutationError(field, `failed to evaluate CEL expression: ${result.message}`, { cause: result });
      }
      return setPath(doc, path, fromCel(result, field));
    },
  };
}

type Program = (bindings: { value: CelInput; self: CelInput; other: CelInput }) => CelResult;

function compileProgram(expression: string, field: string): Program {
  const { CelScalar, celEnv, parse, plan } = celLibrary();
  const variables = Object.fromEntries(VARIABLE_NAMES.map((name) => [name, CelScalar.DYN]));
  const env = celEnv({ variables, funcs: goCompatibleFunctions() });
  try {
    const parsed = parse(expression);
    checkExpression(env, parsed.expr, VARIABLE_NAMES);
    return plan(env, parsed);
  } catch (err) {
    throw new MutationError(field, `failed to compile CEL expression: ${errorMessage(err)}`, { cause: err });
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
