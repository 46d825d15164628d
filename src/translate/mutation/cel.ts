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
 * infinities, maps with non-string keys and type values are errors.
 */
import {
  type CelEnv, type CelFunc, type CelInput, type CelResult, type CelValue, CelScalar, celEnv, celFunc, isCelError, isCelList,
  isCelMap, isCelType, isCelUint, objectType, parse, plan,
} from '@bufbuild/cel';
import type { ResourceCELMutation } from '../../apis/v1alpha1/published-resource.ts';
import { isRecord } from '../../kube/object.ts';
import { formatFloatF, formatFloatG } from '../go-json.ts';
import { getResult } from '../json-path.ts';
import { setPath } from '../json-path-write.ts';
import { MutationError, compileRulePath, requireString, type CompiledRule } from './types.ts';

const VARIABLES = { value: CelScalar.DYN, self: CelScalar.DYN, other: CelScalar.DYN } as const;

const TIMESTAMP = 'google.protobuf.Timestamp';
const DURATION = 'google.protobuf.Duration';

/**
 * Where @bufbuild/cel's standard functions differ from cel-go's: `string()`
 * of doubles, timestamps and durations (Go's `%g`; RFC 3339 with only the
 * needed fraction digits; seconds with only the needed decimals) and
 * `timestamp(int)` (seconds, not milliseconds).
 */
function goCompatibleFunctions(): CelFunc[] {
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
      if (isCelError(result)) {
        throw new MutationError(field, `failed to evaluate CEL expression: ${result.message}`, { cause: result });
      }
      return setPath(doc, path, fromCel(result, field));
    },
  };
}

type Program = (bindings: { value: CelInput; self: CelInput; other: CelInput }) => CelResult;

function compileProgram(expression: string, field: string): Program {
  const env = celEnv({ variables: VARIABLES, funcs: goCompatibleFunctions() });
  try {
    const parsed = parse(expression);
    checkExpr(env, parsed.expr, new Map(Object.keys(VARIABLES).map((v) => [v, DYN])));
    return plan(env, parsed);
  } catch (err) {
    throw new MutationError(field, `failed to compile CEL expression: ${errorMessage(err)}`, { cause: err });
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------------------
// JSON <-> CEL values
// ---------------------------------------------------------------------------

const INT64_LIMIT = 2 ** 63;

/**
 * Plain JSON as CEL input. With `ints`, integral numbers within int64 become
 * CEL ints (how Kubernetes decodes objects); without, every number is a
 * double (how gjson's `Value()` hands `value` over).
 */
function toCel(v: unknown, ints: boolean): CelInput {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'number':
      return ints && Number.isInteger(v) && Math.abs(v) < INT64_LIMIT ? BigInt(v) : v;
    case 'string':
    case 'boolean':
      return v;
    default:
      break;
  }
  if (Array.isArray(v)) return v.map((x) => toCel(x, ints));
  if (isRecord(v)) {
    return new Map(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, toCel(x, ints)]));
  }
  throw new Error(`cannot use a ${typeof v} as a CEL value`);
}

/** A CEL result as plain JSON; throws MutationError for what JSON cannot hold. */
function fromCel(v: CelValue, field: string): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new MutationError(field, `cannot represent ${formatFloatF(v)} in JSON`);
    return v;
  }
  if (isCelUint(v)) return Number(v.value);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (isCelList(v)) return [...v].map((x) => fromCel(x, field));
  if (isCelMap(v)) return mapFromCel(v, field);
  if (isCelType(v)) throw new MutationError(field, `cannot represent the CEL type ${v.name} in JSON`);
  return messageFromCel(v, field);
}

function mapFromCel(m: ReadonlyMap<unknown, CelValue>, field: string): Record<string, unknown> {
  return Object.fromEntries([...m].map(([k, x]) => {
    if (typeof k !== 'string') throw new MutationError(field, 'cannot represent a map with non-string keys in JSON');
    return [k, fromCel(x, field)];
  }));
}

interface SecondsNanos {
  seconds: bigint;
  nanos: number;
}

type MessageLike = Partial<SecondsNanos> & { $typeName?: string; message?: Partial<SecondsNanos>; desc?: { typeName?: string } };

/** The seconds and nanos of a Timestamp or Duration, as a reflected or a plain protobuf message. */
function secondsNanos(v: unknown): SecondsNanos {
  const m = v as MessageLike | null;
  const fields = m?.message ?? m;
  return { seconds: fields?.seconds ?? 0n, nanos: fields?.nanos ?? 0 };
}

/** Timestamps and durations (protobuf messages here) in cel-go's `string()` form. */
function messageFromCel(v: object, field: string): string {
  const m = v as MessageLike;
  const name = m.desc?.typeName ?? m.$typeName;
  if (name === TIMESTAMP) return formatTimestamp(secondsNanos(v));
  if (name === DURATION) return formatDuration(secondsNanos(v));
  throw new MutationError(field, `cannot represent a CEL ${name ?? 'value'} in JSON`);
}

/** cel-go's duration string: seconds with only the needed decimals, then `s`. */
function formatDuration(d: SecondsNanos): string {
  return `${formatFloatF(Number(d.seconds) + d.nanos / 1e9)}s`;
}

/** Go's time.RFC3339Nano of a UTC instant: fraction without trailing zeros, `Z`. */
function formatTimestamp(t: SecondsNanos): string {
  const base = new Date(Number(t.seconds) * 1000).toISOString().slice(0, 19);
  const fraction = t.nanos === 0 ? '' : `.${String(t.nanos).padStart(9, '0').replace(/0+$/, '')}`;
  return `${base}${fraction}Z`;
}

// ---------------------------------------------------------------------------
// Static checks (what cel-go's Compile rejects before any object is seen)
// ---------------------------------------------------------------------------

type Expr = ReturnType<typeof parse>['expr'];
type Call = Extract<Expr['exprKind'], { case: 'callExpr' }>['value'];
type Comprehension = Extract<Expr['exprKind'], { case: 'comprehensionExpr' }>['value'];
type StructExpr = Extract<Expr['exprKind'], { case: 'structExpr' }>['value'];
type Constant = Extract<Expr['exprKind'], { case: 'constExpr' }>['value'];

/** A static type: a CEL type name (`dyn` when only evaluation can tell), or a list or map type. */
type StaticType = string | { readonly list: StaticType } | { readonly map: readonly [StaticType, StaticType] };

type Scope = ReadonlyMap<string, StaticType>;

const DYN = 'dyn';
const LIST_OF_DYN: StaticType = { list: DYN };
const MAP_OF_DYN: StaticType = { map: [DYN, DYN] };

const TYPE_IDENTIFIERS = new Set([
  'int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn',
]);

/** Kinds that have fields: maps (and dyn). */
const SELECTABLE = new Set(['map', DYN]);

function kindOf(t: StaticType): string {
  if (typeof t === 'string') return t;
  return 'list' in t ? 'list' : 'map';
}

function display(t: StaticType): string {
  if (typeof t === 'string') return t;
  return 'list' in t ? `list(${display(t.list)})` : `map(${display(t.map[0])}, ${display(t.map[1])})`;
}

/** Whether values of the two static types may meet (cel-go's type unification, with dyn matching anything). */
function compatible(a: StaticType, b: StaticType): boolean {
  if (a === DYN || b === DYN) return true;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if ('list' in a && 'list' in b) return compatible(a.list, b.list);
  if ('map' in a && 'map' in b) return compatible(a.map[0], b.map[0]) && compatible(a.map[1], b.map[1]);
  return false;
}

/** The common type of a literal's elements: theirs when all agree, else dyn. */
function joined(types: readonly StaticType[]): StaticType {
  const [first = DYN] = types;
  return types.every((t) => display(t) === display(first)) ? first : DYN;
}

function fromOverloadType(name: string): StaticType {
  if (name === 'list') return LIST_OF_DYN;
  return name === 'map' ? MAP_OF_DYN : name;
}

/** The type of `e`, or a thrown Error in cel-go's words. */
function checkExpr(env: CelEnv, e: Expr, scope: Scope): StaticType {
  const kind = e.exprKind;
  switch (kind.case) {
    case 'constExpr': return constType(kind.value);
    case 'identExpr': return identType(kind.value.name, scope);
    case 'selectExpr': {
      const operand = kind.value.operand === undefined ? DYN : checkExpr(env, kind.value.operand, scope);
      if (!SELECTABLE.has(kindOf(operand))) throw new Error(`type '${display(operand)}' does not support field selection`);
      return kind.value.testOnly ? 'bool' : DYN;
    }
    case 'callExpr': return checkCall(env, kind.value, scope);
    case 'listExpr': return { list: joined(kind.value.elements.map((el) => checkExpr(env, el, scope))) };
    case 'structExpr': return checkStruct(env, kind.value, scope);
    case 'comprehensionExpr': return checkComprehension(env, kind.value, scope);
    default: throw new Error('unsupported expression');
  }
}

function constType(c: Constant): string {
  switch (c.constantKind.case) {
    case 'int64Value': return 'int';
    case 'uint64Value': return 'uint';
    case 'doubleValue': return 'double';
    case 'stringValue': return 'string';
    case 'boolValue': return 'bool';
    case 'bytesValue': return 'bytes';
    case 'nullValue': return 'null_type';
    default: throw new Error('unsupported constant');
  }
}

function identType(name: string, scope: Scope): StaticType {
  const t = scope.get(name);
  if (t !== undefined) return t;
  if (TYPE_IDENTIFIERS.has(name)) return 'type';
  throw new Error(`undeclared reference to '${name}'`);
}

function checkStruct(env: CelEnv, s: StructExpr, scope: Scope): StaticType {
  if (s.messageName !== '') throw new Error(`undeclared reference to '${s.messageName}'`);
  const keys: StaticType[] = [];
  const values: StaticType[] = [];
  for (const entry of s.entries) {
    if (entry.keyKind.case === 'mapKey') keys.push(checkExpr(env, entry.keyKind.value, scope));
    if (entry.value !== undefined) values.push(checkExpr(env, entry.value, scope));
  }
  return { map: [joined(keys), joined(values)] };
}

function checkComprehension(env: CelEnv, c: Comprehension, scope: Scope): StaticType {
  const range = c.iterRange === undefined ? DYN : checkExpr(env, c.iterRange, scope);
  if (!['list', 'map', DYN].includes(kindOf(range))) {
    throw new Error(`expression of type '${display(range)}' cannot be the range of a comprehension`);
  }
  const accu = c.accuInit === undefined ? DYN : checkExpr(env, c.accuInit, scope);
  const inner = new Map([...scope, [c.iterVar, DYN], [c.accuVar, accu]]);
  if (c.iterVar2 !== '') inner.set(c.iterVar2, DYN);
  if (c.loopCondition !== undefined) checkExpr(env, c.loopCondition, inner);
  if (c.loopStep !== undefined) checkExpr(env, c.loopStep, inner);
  return c.result === undefined ? DYN : checkExpr(env, c.result, new Map([...scope, [c.accuVar, accu]]));
}

function checkCall(env: CelEnv, call: Call, scope: Scope): StaticType {
  const target = call.target === undefined ? undefined : checkExpr(env, call.target, scope);
  const args = call.args.map((a) => checkExpr(env, a, scope));
  const special = checkSpecial(call.function, args) ?? checkContainerOperands(call.function, args);
  if (special !== undefined) return special;
  return resolveOverload(env, call.function, target, args);
}

function elementsOf(t: StaticType): StaticType | undefined {
  return typeof t !== 'string' && 'list' in t ? t.list : undefined;
}

function entriesOf(t: StaticType): readonly [StaticType, StaticType] | undefined {
  return typeof t !== 'string' && 'map' in t ? t.map : undefined;
}

/** Type parameters of list/map operators: `list(A) + list(A)`, `A in list(A)`, `list(A)[int]`, `map(K, V)[K]`. */
function checkContainerOperands(fn: string, args: readonly StaticType[]): StaticType | undefined {
  const [a = DYN, b = DYN] = args;
  switch (fn) {
    case '_+_': return checkConcat(a, b, args);
    case '@in':
      checkIn(a, b, args);
      return undefined;
    case '_[_]': return checkIndex(a, b, args);
    default: return undefined;
  }
}

function checkConcat(a: StaticType, b: StaticType, args: readonly StaticType[]): StaticType | undefined {
  const [x, y] = [elementsOf(a), elementsOf(b)];
  if (x === undefined || y === undefined) return undefined;
  if (!compatible(x, y)) throw noOverload('_+_', undefined, args);
  return { list: display(x) === display(y) ? x : DYN };
}

function checkIn(a: StaticType, b: StaticType, args: readonly StaticType[]): void {
  const key = elementsOf(b) ?? entriesOf(b)?.[0];
  if (key !== undefined && !compatible(a, key)) throw noOverload('@in', undefined, args);
}

function checkIndex(container: StaticType, index: StaticType, args: readonly StaticType[]): StaticType {
  const elements = elementsOf(container);
  if (elements !== undefined) {
    if (!compatible('int', index)) throw noOverload('_[_]', undefined, args);
    return elements;
  }
  const entries = entriesOf(container);
  if (entries !== undefined) {
    if (!compatible(entries[0], index)) throw noOverload('_[_]', undefined, args);
    return entries[1];
  }
  if (!['map', 'list', DYN].includes(kindOf(container))) throw noOverload('_[_]', undefined, args);
  return DYN;
}

/** Operators cel-go checks with type parameters rather than fixed overloads. */
const SPECIAL_CHECKS: ReadonlyMap<string, (args: readonly StaticType[]) => StaticType | undefined> = new Map([
  ['_&&_', checkLogical],
  ['_||_', checkLogical],
  ['_?_:_', checkConditional],
  ['_==_', checkEquality],
  ['_!=_', checkEquality],
  ['@not_strictly_false', (): StaticType => 'bool'],
]);

function checkSpecial(fn: string, args: readonly StaticType[]): StaticType | undefined {
  const check = SPECIAL_CHECKS.get(fn);
  if (check === undefined) return undefined;
  const t = check(args);
  if (t === undefined) throw noOverload(fn, undefined, args);
  return t;
}

function checkLogical(args: readonly StaticType[]): StaticType | undefined {
  return args.every((a) => compatible('bool', a)) ? 'bool' : undefined;
}

function checkConditional(args: readonly StaticType[]): StaticType | undefined {
  const [cond = DYN, a = DYN, b = DYN] = args;
  if (!compatible('bool', cond) || !compatible(a, b)) return undefined;
  return display(a) === display(b) ? a : DYN;
}

function checkEquality(args: readonly StaticType[]): StaticType | undefined {
  return compatible(args[0] ?? DYN, args[1] ?? DYN) ? 'bool' : undefined;
}

/** Whether an overload parameter (a type name from the function table) accepts an argument. */
function accepts(param: string, arg: StaticType): boolean {
  return param === DYN || kindOf(arg) === DYN || param === kindOf(arg);
}

function resolveOverload(env: CelEnv, fn: string, target: StaticType | undefined, args: readonly StaticType[]): StaticType {
  const group = env.funcs.find(fn);
  if (group === undefined) throw new Error(`undeclared reference to '${fn}'`);
  const results = new Set<string>();
  for (const overload of group) {
    if ((overload.target === undefined) !== (target === undefined)) continue;
    if (overload.target !== undefined && target !== undefined && !accepts(overload.target.name, target)) continue;
    if (overload.arguments.length !== args.length) continue;
    if (overload.arguments.every((p, i) => accepts(p.name, args[i] ?? DYN))) results.add(overload.result.name);
  }
  if (results.size === 0) throw noOverload(fn, target, args);
  const [only] = results;
  return results.size === 1 && only !== undefined ? fromOverloadType(only) : DYN;
}

function noOverload(fn: string, target: StaticType | undefined, args: readonly StaticType[]): Error {
  const applied = `${target === undefined ? '' : `${display(target)}.`}(${args.map(display).join(', ')})`;
  return new Error(`found no matching overload for '${fn}' applied to '${applied}'`);
}
