/**
 * The static checks of a `cel` rule's expression: what cel-go's Compile
 * rejects before any object is seen (undeclared names, calls no overload
 * of the standard library accepts, operands of mismatched types, fields
 * selected on non-maps), with cel-go's messages. compileCEL (cel.ts) runs
 * them between parsing and planning, so an expression upstream refuses
 * when the rule is loaded is refused here at the same point, not when it
 * first runs.
 */
import type { CelEnv, parse } from '@bufbuild/cel';

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
  'int',
  'uint',
  'double',
  'bool',
  'string',
  'bytes',
  'list',
  'map',
  'null_type',
  'type',
  'dyn',
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

/**
 * Type-checks `expr` as cel-go's Compile does, with `variables` declared as
 * dyn. Throws an Error in cel-go's words.
 */
export function checkExpression(env: CelEnv, expr: Expr, variables: readonly string[]): void {
  checkExpr(env, expr, new Map(variables.map((v) => [v, DYN])));
}

/** The type of `e`, or a thrown Error in cel-go's words. */
function checkExpr(env: CelEnv, e: Expr, scope: Scope): StaticType {
  const kind = e.exprKind;
  switch (kind.case) {
    case 'constExpr':
      return constType(kind.value);
    case 'identExpr':
      return identType(kind.value.name, scope);
    case 'selectExpr': {
      const operand = kind.value.operand === undefined ? DYN : checkExpr(env, kind.value.operand, scope);
      if (!SELECTABLE.has(kindOf(operand)))
        throw new Error(`type '${display(operand)}' does not support field selection`);
      return kind.value.testOnly ? 'bool' : DYN;
    }
    case 'callExpr':
      return checkCall(env, kind.value, scope);
    case 'listExpr':
      return { list: joined(kind.value.elements.map((el) => checkExpr(env, el, scope))) };
    case 'structExpr':
      return checkStruct(env, kind.value, scope);
    case 'comprehensionExpr':
      return checkComprehension(env, kind.value, scope);
    default:
      throw new Error('unsupported expression');
  }
}

function constType(c: Constant): string {
  switch (c.constantKind.case) {
    case 'int64Value':
      return 'int';
    case 'uint64Value':
      return 'uint';
    case 'doubleValue':
      return 'double';
    case 'stringValue':
      return 'string';
    case 'boolValue':
      return 'bool';
    case 'bytesValue':
      return 'bytes';
    case 'nullValue':
      return 'null_type';
    default:
      throw new Error('unsupported constant');
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
    case '_+_':
      return checkConcat(a, b, args);
    case '@in':
      checkIn(a, b, args);
      return undefined;
    case '_[_]':
      return checkIndex(a, b, args);
    default:
      return undefined;
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

function resolveOverload(
  env: CelEnv,
  fn: string,
  target: StaticType | undefined,
  args: readonly StaticType[],
): StaticType {
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
