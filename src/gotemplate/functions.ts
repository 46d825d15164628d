/**
 * Template functions: how their Go signatures are described, and Go's
 * text/template builtins (`and`, `or`, `not`, `len`, `index`, `eq`…`ge`,
 * `print*`, `html`, `js`, `urlquery`, `call`). Go's builtin `slice` is
 * left out: sprig's `slice` replaces it in every function map we offer.
 */
import { ExecFailure, FunctionError } from './errors.ts';
import { formatValue, sprint, sprintln } from './fmt.ts';
import { sprintf } from './sprintf.ts';
import { isPrint } from './quote.ts';
import { GoInt, byteLength, compareStrings, goInt, isGoMap, mapGet, mapType, typeName, utf8Encode } from './values.ts';

/**
 * A Go parameter type, as far as template argument checking cares:
 * `value` is reflect.Value (builtins: anything, including no value), `any`
 * is interface{} (anything; no value becomes nil).
 */
export type ParamType =
  'value' | 'any' | 'string' | 'int' | 'int64' | 'float64' | 'bool' | '[]string' | '[]any' | 'map';

/** A template function with its Go signature. */
export interface TemplateFunction {
  /** Fixed parameters. */
  params: readonly ParamType[];
  /** Element type of the variadic tail, if the function is variadic. */
  variadic?: ParamType;
  /**
   * The implementation; receives checked arguments. Throws
   * {@link FunctionError} for what Go reports as an error or panic (shown
   * as `error calling NAME: …`) and {@link ExecFailure} to fail without
   * that prefix.
   */
  call: (args: unknown[]) => unknown;
}

/** Functions by name. */
export type FunctionMap = ReadonlyMap<string, TemplateFunction>;

/** Go's name of a parameter type, for messages. */
export function goTypeName(type: ParamType): string {
  const names: Record<ParamType, string> = {
    value: 'reflect.Value',
    any: 'interface {}',
    string: 'string',
    int: 'int',
    int64: 'int64',
    float64: 'float64',
    bool: 'bool',
    '[]string': '[]string',
    '[]any': '[]interface {}',
    map: 'map[string]interface {}',
  };
  return names[type];
}

/** Builds a function entry. */
export function fn(
  params: readonly ParamType[],
  call: (args: unknown[]) => unknown,
  variadic?: ParamType,
): TemplateFunction {
  return variadic === undefined ? { params, call } : { params, variadic, call };
}

/** A function that always refuses to run with `message` (not wrapped as `error calling`). */
export function refused(message: string): TemplateFunction {
  return {
    params: [],
    variadic: 'value',
    call: () => {
      throw new ExecFailure(message);
    },
  };
}

/** Go's truth of a builtin argument (nil and no value are false). */
export function truth(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value !== '';
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'boolean') return value;
  if (value instanceof GoInt) return value.value !== 0n;
  if (Array.isArray(value)) return value.length > 0;
  if (isGoMap(value)) return Object.keys(value).length > 0;
  return true;
}

// ---- len, index, slice ----------------------------------------------------------

function length(item: unknown): GoInt {
  if (item === null) throw new FunctionError('len of nil pointer');
  if (typeof item === 'string') return goInt(byteLength(item));
  if (Array.isArray(item)) return goInt(item.length);
  if (isGoMap(item)) return goInt(Object.keys(item).length);
  if (item === undefined) throw new FunctionError('reflect: call of reflect.Value.Type on zero Value');
  throw new FunctionError(`len of type ${typeName(item)}`);
}

function indexArg(index: unknown, cap: number): number {
  if (index === undefined || index === null) throw new FunctionError('cannot index slice/array with nil');
  if (!(index instanceof GoInt)) throw new FunctionError(`cannot index slice/array with type ${typeName(index)}`);
  if (index.value < 0n || index.value > BigInt(cap)) throw new FunctionError(`index out of range: ${index.value}`);
  return Number(index.value);
}

function indexOnce(item: unknown, index: unknown): unknown {
  if (item === null) throw new FunctionError('index of nil pointer');
  if (typeof item === 'string' || Array.isArray(item)) {
    const size = typeof item === 'string' ? byteLength(item) : item.length;
    const x = indexArg(index, size);
    if (x === size) throw new FunctionError(`index out of range: ${x}`);
    return typeof item === 'string' ? goInt(utf8Encode(item)[x] ?? 0, 'uint8') : item[x];
  }
  if (isGoMap(item)) {
    if (typeof index !== 'string') {
      throw new FunctionError(`value has type ${typeName(index)}; should be string`);
    }
    const found = mapGet(item, index);
    if (found !== undefined) return found;
    return mapType(item) === 'map[string]string' ? '' : null;
  }
  throw new FunctionError(`can't index item of type ${typeName(item)}`);
}

function index(args: unknown[]): unknown {
  let [item] = args;
  if (item === undefined || item === null) throw new FunctionError('index of untyped nil');
  for (const i of args.slice(1)) item = indexOnce(item, i ?? undefined);
  return item;
}

// ---- comparisons ----------------------------------------------------------------

type BasicKind = 'bool' | 'int' | 'float' | 'string' | 'invalid';

function basicKind(v: unknown): BasicKind {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  if (v instanceof GoInt) return 'int';
  return 'invalid';
}

function isNilLike(v: unknown): boolean {
  return v === undefined || v === null;
}

function eqPair(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) {
    if (!isNilLike(a) && !isNilLike(b)) {
      throw new FunctionError(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
    }
    return false;
  }
  if (ka === 'int') return (a as GoInt).value === (b as GoInt).value;
  if (ka !== 'invalid') return a === b;
  if (isNilLike(a) || isNilLike(b)) return isNilLike(a) === isNilLike(b);
  throw new FunctionError(`non-comparable type ${formatValue(b)}: ${typeName(b)}`);
}

function eq(args: unknown[]): boolean {
  const [first, ...rest] = args.map((a) => (a === null ? undefined : a));
  if (rest.length === 0) throw new FunctionError('missing argument for comparison');
  return rest.some((b) => eqPair(first, b));
}

function lt(a: unknown, b: unknown): boolean {
  const ka = basicKind(a === null ? undefined : a);
  const kb = basicKind(b === null ? undefined : b);
  if (ka === 'invalid' || kb === 'invalid') throw new FunctionError('invalid type for comparison');
  if (ka !== kb) throw new FunctionError(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
  if (ka === 'bool') throw new FunctionError('invalid type for comparison');
  if (ka === 'int') return (a as GoInt).value < (b as GoInt).value;
  if (ka === 'string') return compareStrings(a as string, b as string) < 0;
  return (a as number) < (b as number);
}

function le(a: unknown, b: unknown): boolean {
  return lt(a, b) || eq([a, b]);
}

// ---- escapers -------------------------------------------------------------------

/** Go's evalArgs for the escapers: a lone string as is, anything else through fmt.Sprint. */
function escaperText(args: unknown[]): string {
  const [only] = args;
  if (args.length === 1 && typeof only === 'string') return only;
  return sprint(args.map((a) => (a === undefined || a === null ? '<no value>' : a)));
}

const HTML_ESCAPES: Record<string, string> = {
  '\0': '\uFFFD',
  '"': '&#34;',
  "'": '&#39;',
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
};

function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => HTML_ESCAPES[c] ?? c);
}

const JS_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '<': '\\u003C',
  '>': '\\u003E',
  '&': '\\u0026',
  '=': '\\u003D',
};

function jsEscapeChar(ch: string): string {
  const known = JS_ESCAPES[ch];
  if (known !== undefined) return known;
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20) return '\\u00' + cp.toString(16).toUpperCase().padStart(2, '0');
  if (cp < 0x80 || isPrint(ch)) return ch;
  return '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
}

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) out += jsEscapeChar(ch);
  return out;
}

/** Go's url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const byte of utf8Encode(s)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

// ---- call -----------------------------------------------------------------------

/** Go's `call`; the evaluator passes the callee's source text first, for messages. */
function callFunction(args: unknown[]): unknown {
  const [name, target, ...rest] = args;
  if (target === undefined || target === null) throw new FunctionError('call of nil');
  if (typeof target !== 'function') throw new FunctionError(`non-function ${String(name)} of type ${typeName(target)}`);
  return (target as (...a: unknown[]) => unknown)(...rest);
}

function shortCircuit(): unknown {
  throw new ExecFailure('internal error: and/or are evaluated by the executor');
}

/** Go's text/template builtin functions. `and` and `or` are short-circuited by the evaluator. */
export function builtinFunctions(): Map<string, TemplateFunction> {
  return new Map<string, TemplateFunction>([
    ['and', fn(['value'], shortCircuit, 'value')],
    ['or', fn(['value'], shortCircuit, 'value')],
    ['not', fn(['value'], ([a]) => !truth(a))],
    ['len', fn(['value'], ([a]) => length(a))],
    ['index', fn(['value'], index, 'value')],
    ['call', fn(['value'], callFunction, 'value')],
    ['eq', fn(['value'], eq, 'value')],
    ['ne', fn(['value', 'value'], ([a, b]) => !eq([a, b]))],
    ['lt', fn(['value', 'value'], ([a, b]) => lt(a, b))],
    ['le', fn(['value', 'value'], ([a, b]) => le(a, b))],
    ['gt', fn(['value', 'value'], ([a, b]) => !le(a, b))],
    ['ge', fn(['value', 'value'], ([a, b]) => !lt(a, b))],
    ['print', fn([], (args) => sprint(args), 'any')],
    ['println', fn([], (args) => sprintln(args), 'any')],
    ['printf', fn(['string'], ([format, ...args]) => sprintf(format as string, args), 'any')],
    ['html', fn([], (args) => htmlEscape(escaperText(args)), 'any')],
    ['js', fn([], (args) => jsEscape(escaperText(args)), 'any')],
    ['urlquery', fn([], (args) => queryEscape(escaperText(args)), 'any')],
  ]);
}

/** Whether a builtin name is short-circuited by the evaluator. */
export function isShortCircuit(name: string): name is 'and' | 'or' {
  return name === 'and' || name === 'or';
}
