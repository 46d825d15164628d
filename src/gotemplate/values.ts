/**
 * How Go values are represented while a template runs. Template data is
 * plain JSON-like JavaScript, which maps onto what Go's json.Unmarshal into
 * `any` produces; the few Go types JSON cannot express carry a tag:
 *
 * | Go                               | JavaScript                                   |
 * |----------------------------------|----------------------------------------------|
 * | invalid reflect.Value (no value) | `undefined`                                  |
 * | nil interface                    | `null`                                       |
 * | string, bool, float64            | string, boolean, number                      |
 * | int, int64, int32, uint8         | {@link GoInt}                                |
 * | []interface{}                    | array                                        |
 * | []string, []int, …               | array tagged with {@link withGoType}         |
 * | map[string]interface{}           | plain object (prototype Object or null)      |
 * | map[string]string                | plain object tagged with {@link withGoType}  |
 * | struct                           | instance of a class: fields are properties,  |
 * |                                  | methods are functions (`String()` = Stringer)|
 */
import { FunctionError } from './errors.ts';

/** The Go integer types template functions produce. */
export type IntKind = 'int' | 'int64' | 'int32' | 'uint8';

/** A Go integer: exact 64-bit (or 32-bit) two's-complement arithmetic via bigint. */
export class GoInt {
  readonly kind: IntKind;
  readonly value: bigint;

  constructor(kind: IntKind, value: bigint) {
    this.kind = kind;
    if (kind === 'uint8') this.value = BigInt.asUintN(8, value);
    else this.value = BigInt.asIntN(kind === 'int32' ? 32 : 64, value);
  }
}

/** A Go `int` (or another integer kind) from a JS integer or bigint. */
export function goInt(n: number | bigint, kind: IntKind = 'int'): GoInt {
  return new GoInt(kind, typeof n === 'bigint' ? n : BigInt(Math.trunc(n)));
}

const GO_TYPE = Symbol('go.type');
const GO_NIL = Symbol('go.nil');

interface Tagged {
  [GO_TYPE]?: string;
  [GO_NIL]?: boolean;
}

/** Marks an array or plain object with its Go type (e.g. `[]string`); returns it. */
export function withGoType<T extends object>(value: T, type: string): T {
  Object.defineProperty(value, GO_TYPE, { value: type, enumerable: false });
  return value;
}

/** A Go nil slice of `type`: empty, but JSON-encodes as `null`. */
export function nilSlice(type = '[]interface {}'): unknown[] {
  const slice = withGoType([], type);
  Object.defineProperty(slice, GO_NIL, { value: true, enumerable: false });
  return slice;
}

/** Whether `value` is a nil slice made by {@link nilSlice}. */
export function isNilSlice(value: unknown): boolean {
  return Array.isArray(value) && (value as Tagged)[GO_NIL] === true;
}

/** A `[]string`. */
export function stringSlice(items: string[]): string[] {
  return withGoType(items, '[]string');
}

/** The Go type of an array (default `[]interface {}`). */
export function sliceType(value: readonly unknown[]): string {
  return (value as Tagged)[GO_TYPE] ?? '[]interface {}';
}

/** The Go type of a plain object (default `map[string]interface {}`). */
export function mapType(value: object): string {
  return (value as Tagged)[GO_TYPE] ?? 'map[string]interface {}';
}

/** A plain object used as a Go map. */
export type GoMap = Record<string, unknown>;

/** Whether `value` is a Go map: a plain object (prototype Object or null). */
export function isGoMap(value: unknown): value is GoMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Whether `value` is a Go struct: an object that is neither a map, a slice nor a GoInt. */
export function isStruct(value: unknown): value is object {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof GoInt) && !isGoMap(value)
  );
}

/** The value of map key `key`, or `undefined` when absent (never an inherited property). */
export function mapGet(map: GoMap, key: string): unknown {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/**
 * Sets map key `key` safely (also for keys such as `__proto__`). A frozen
 * map stands for Go's nil map, which refuses writes.
 */
export function mapSet(map: GoMap, key: string, value: unknown): void {
  if (Object.isFrozen(map)) throw new FunctionError('assignment to entry in nil map');
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A new, empty `map[string]interface {}`. */
export function newMap(): GoMap {
  return {};
}

/** Compares strings by code point, which is Go's byte-wise order for valid UTF-8. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done === true || y.done === true) return x.done === true ? (y.done === true ? 0 : -1) : 1;
    const d = (x.value.codePointAt(0) ?? 0) - (y.value.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
}

/** The keys of a map in Go's printing order (sorted). */
export function sortedKeys(map: GoMap): string[] {
  return Object.keys(map).sort(compareStrings);
}

/** The name of a struct's type, for messages and `%T`. */
export function structTypeName(value: object): string {
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'struct {}';
}

/** Go's `%T` of a value held in an interface (`<nil>` for nil). */
export function typeName(value: unknown): string {
  if (value === undefined || value === null) return '<nil>';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'function':
      return 'func()';
    default:
      break;
  }
  if (value instanceof GoInt) return value.kind;
  if (Array.isArray(value)) return sliceType(value);
  if (isGoMap(value)) return mapType(value);
  return structTypeName(value);
}

/** Go's reflect Kind name (`kindOf`), e.g. `map`, `slice`, `float64`, `invalid`. */
export function kindName(value: unknown): string {
  if (value === undefined || value === null) return 'invalid';
  if (Array.isArray(value)) return 'slice';
  if (isGoMap(value)) return 'map';
  if (typeof value === 'function') return 'func';
  if (isStruct(value)) return 'struct';
  return typeName(value);
}

/** The length Go's `len` gives a string: its size in UTF-8 bytes. */
export function byteLength(s: string): number {
  return utf8Encode(s).length;
}

/** `s` as UTF-8 bytes (lone surrogates become U+FFFD, as Go would hold them). */
export function utf8Encode(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Decodes UTF-8 bytes the way Go prints them (invalid sequences become U+FFFD). */
export function utf8Decode(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

/**
 * Go's truth (`if`, `with`, `and`, `or`, `not`): false for no value, nil,
 * zero numbers, false and empty strings, slices and maps; structs are true.
 */
export function isTrue(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  switch (typeof value) {
    case 'string':
      return value.length > 0;
    case 'number':
      return value !== 0;
    case 'boolean':
      return value;
    default:
      break;
  }
  if (value instanceof GoInt) return value.value !== 0n;
  if (Array.isArray(value)) return value.length > 0;
  if (isGoMap(value)) return Object.keys(value).length > 0;
  return true;
}

/**
 * Go's reflect.DeepEqual on template values: types must match exactly (an
 * `int` 1 is not a `float64` 1), then contents are compared recursively.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (typeName(a) !== typeName(b)) return false;
  if (a instanceof GoInt && b instanceof GoInt) return a.value === b.value;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isGoMap(a) && isGoMap(b)) return mapsDeepEqual(a, b);
  return a === b || (a === null && b === null);
}

function mapsDeepEqual(a: GoMap, b: GoMap): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}

const INT64_BOUND = 2 ** 63;

/**
 * A copy of JSON-decoded data with numbers typed the way Kubernetes' JSON
 * decoder (k8s.io/apimachinery/pkg/util/json, used for unstructured
 * objects) types them: whole numbers within the int64 range become `int64`,
 * others stay `float64`. This is what upstream's templates see in
 * `.Object`: `{{ .spec.memory }}` prints `1073741824`, not `1.073741824e+09`.
 * Maps and lists are copied; structs (class instances) are kept as they are.
 */
export function fromKubernetesJSON(value: unknown): unknown {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= -INT64_BOUND && value < INT64_BOUND ? goInt(value, 'int64') : value;
  }
  if (Array.isArray(value)) return withGoType(value.map(fromKubernetesJSON), sliceType(value));
  if (!isGoMap(value)) return value;
  const out: GoMap = withGoType(Object.create(Object.getPrototypeOf(value) as object | null) as GoMap, mapType(value));
  for (const key of Object.keys(value)) mapSet(out, key, fromKubernetesJSON(value[key]));
  return out;
}
