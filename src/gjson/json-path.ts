/**
 * Paths into JSON documents in the syntax of tidwall/gjson (reading) and
 * tidwall/sjson (writing and deleting), which upstream's mutation rules use:
 * `spec.containers.0.image`, `metadata.labels.app\.kubernetes\.io/name`,
 * `spec.items.#` (length), `spec.items.#.name` (one field of every element),
 * `spec.items.#(name=="web").image` (first element matching a query),
 * `spec.items.#(port>80)#` (all matching elements), `*`/`?` wildcards in keys
 * and, when writing, `-1` (append) and a `:` prefix that forces an object key.
 *
 * Upstream runs gjson/sjson on the object marshalled by Go's encoding/json, so
 * object keys are visited in sorted order and "raw" text is Go's JSON (sorted
 * keys, `<`, `>`, `&` escaped). This module works on plain values instead of
 * text but reproduces those results; see docs/mutations.md for the subset.
 * Modifiers (`@reverse`), multipaths (`[a,b]`, `{a,b}`), pipes (`|`), literals
 * (`!true`) and JSON-lines paths (`..`) are rejected when a path is compiled.
 *
 * Everything here is pure: inputs are never modified. The path syntax lives
 * in json-path-syntax.ts, writing and deleting in json-path-write.ts, Go's
 * JSON text in go-json.ts.
 */
import { isRecord } from '../kube/object.ts';
import { compareCodePoints, formatFloatF, goMarshal, sortedKeys } from './go-json.ts';
import {
  compileGlob,
  compileJsonPath,
  type GjsonType,
  type JsonPath,
  type Location,
  type Query,
  type Segment,
} from './json-path-syntax.ts';

/** The answer to a gjson `Get`, with gjson's accessors. */
export class GjsonResult {
  readonly exists: boolean;
  readonly type: GjsonType;
  /** gjson's `Value()`: the plain value (numbers are doubles); null when missing. */
  readonly value: unknown;
  /** Where the value lives; undefined for missing and computed values. */
  readonly location: Location | undefined;
  /** For results gathered from several array elements: where each one lives. */
  readonly locations: readonly (Location | undefined)[] | undefined;
  #raw: string | undefined;

  constructor(init: {
    exists: boolean;
    type: GjsonType;
    value: unknown;
    raw?: string;
    location?: Location | undefined;
    locations?: readonly (Location | undefined)[] | undefined;
  }) {
    this.exists = init.exists;
    this.type = init.type;
    this.value = init.value;
    this.location = init.location;
    this.locations = init.locations;
    this.#raw = init.raw;
  }

  /** gjson's `Raw`: the value's JSON as Go's encoding/json writes it ('' when missing). */
  get raw(): string {
    this.#raw ??= this.exists ? goMarshal(this.value) : '';
    return this.#raw;
  }

  /** gjson's `String()`: strings as-is, numbers as decimal text, objects/arrays as raw JSON, null/missing as ''. */
  string(): string {
    switch (this.type) {
      case 'String':
        return typeof this.value === 'string' ? this.value : '';
      case 'Number':
        return /^-?[0-9]*$/.test(this.raw) ? this.raw : formatFloatF(this.num());
      case 'JSON':
        return this.raw;
      case 'True':
        return 'true';
      case 'False':
        return 'false';
      default:
        return '';
    }
  }

  /** gjson's `Num` field: the number for Number results, else 0. */
  num(): number {
    return typeof this.value === 'number' ? this.value : 0;
  }

  /** gjson's `Int()`. */
  int(): number {
    switch (this.type) {
      case 'True':
        return 1;
      case 'String':
        return /^-?[0-9]+$/.test(this.string()) ? Number(this.string()) : 0;
      case 'Number':
        return goInt64(this.num());
      default:
        return 0;
    }
  }

  /** gjson's `Float()`. */
  float(): number {
    switch (this.type) {
      case 'True':
        return 1;
      case 'String':
        return parseGoFloat(this.string());
      case 'Number':
        return this.num();
      default:
        return 0;
    }
  }

  /** gjson's `Bool()`. */
  bool(): boolean {
    switch (this.type) {
      case 'True':
        return true;
      case 'String':
        return parseGoBool(this.string().toLowerCase()) === true;
      case 'Number':
        return this.num() !== 0;
      default:
        return false;
    }
  }
}

const MISSING = new GjsonResult({ exists: false, type: 'Null', value: null, raw: '' });

/** Go's int64(f) on amd64: truncation, and the minimum int64 when out of range. */
function goInt64(f: number): number {
  return f >= -(2 ** 63) && f < 2 ** 63 ? Math.trunc(f) : -(2 ** 63);
}

/** Go's strconv.ParseBool; undefined when the text is not a boolean. */
function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** Go's strconv.ParseFloat for decimal text, infinities and NaN; 0 when it does not parse. */
function parseGoFloat(s: string): number {
  if (/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s)) return Number(s);
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (special === null) return 0;
  if ((special[2] ?? '').toLowerCase() === 'nan') return NaN;
  return special[1] === '-' ? -Infinity : Infinity;
}

/** gjson's result for a plain value (what gjson's `Array()`/`Map()` give for each element). */
export function gjsonResultOf(v: unknown): GjsonResult {
  return resultOf(v, []);
}

function resultOf(v: unknown, location: Location): GjsonResult {
  if (v === null || v === undefined)
    return new GjsonResult({ exists: true, type: 'Null', value: null, raw: 'null', location });
  if (v === true) return new GjsonResult({ exists: true, type: 'True', value: true, raw: 'true', location });
  if (v === false) return new GjsonResult({ exists: true, type: 'False', value: false, raw: 'false', location });
  if (typeof v === 'number') return new GjsonResult({ exists: true, type: 'Number', value: v, location });
  if (typeof v === 'string') return new GjsonResult({ exists: true, type: 'String', value: v, location });
  return new GjsonResult({ exists: true, type: 'JSON', value: v, location });
}

function countResult(n: number): GjsonResult {
  return new GjsonResult({ exists: true, type: 'Number', value: n, raw: String(n) });
}

/** gjson's result for values gathered from several elements (`#.x`, `#(...)#`). */
function gatheredResult(parts: readonly GjsonResult[]): GjsonResult {
  return new GjsonResult({
    exists: true,
    type: 'JSON',
    value: parts.map((p) => p.value),
    raw: `[${parts.map((p) => p.raw).join(',')}]`,
    locations: parts.map((p) => (p.locations === undefined ? p.location : undefined)),
  });
}

/**
 * gjson's `Get`: the value at `path` in `doc`. Never modifies `doc`; the
 * result's `value` may share structure with it. Throws JsonPathError only
 * for paths that do not compile.
 */
export function getResult(doc: unknown, path: string | JsonPath): GjsonResult {
  const compiled = typeof path === 'string' ? compileJsonPath(path) : path;
  return getFrom(doc, compiled.segments, []);
}

/** The value at `path` and whether there is one (gjson `Exists()` and `Value()`). */
export function getPath(doc: unknown, path: string | JsonPath): { exists: boolean; value: unknown } {
  const res = getResult(doc, path);
  return { exists: res.exists, value: res.value };
}

function getFrom(node: unknown, segments: readonly Segment[], location: Location): GjsonResult {
  if (segments.length === 0) return resultOf(node, location);
  return evalAt(node, segments, 0, location) ?? MISSING;
}

/** Undefined means gjson did not "hit"; a hit may still be a missing value. */
function evalAt(node: unknown, segments: readonly Segment[], i: number, location: Location): GjsonResult | undefined {
  if (Array.isArray(node)) return evalArray(node, segments, i, location);
  if (isRecord(node)) return evalObject(node, segments, i, location);
  return undefined;
}

function evalObject(
  node: Record<string, unknown>,
  segments: readonly Segment[],
  i: number,
  location: Location,
): GjsonResult | undefined {
  const seg = segments[i];
  if (seg === undefined || seg.array.kind === 'query') return undefined;
  const last = i === segments.length - 1;
  for (const key of matchingKeys(node, seg)) {
    const child = node[key];
    if (last) return resultOf(child, [...location, key]);
    const hit = evalAt(child, segments, i + 1, [...location, key]);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

function matchingKeys(node: Record<string, unknown>, seg: Segment): string[] {
  const { glob } = seg;
  if (glob === undefined) return Object.hasOwn(node, seg.key) && node[seg.key] !== undefined ? [seg.key] : [];
  return sortedKeys(node).filter((k) => glob.test(k));
}

function evalArray(
  node: readonly unknown[],
  segments: readonly Segment[],
  i: number,
  location: Location,
): GjsonResult | undefined {
  const seg = segments[i];
  if (seg === undefined) return undefined;
  const last = i === segments.length - 1;
  const step = seg.array;
  switch (step.kind) {
    case 'index': {
      if (step.n >= node.length) return undefined;
      const loc = [...location, step.n];
      return last ? resultOf(node[step.n], loc) : evalAt(node[step.n], segments, i + 1, loc);
    }
    case 'hash':
      return last ? countResult(node.length) : gatherEach(node, segments.slice(i + 1), location);
    case 'query':
      return evalQuery(node, step, segments.slice(i + 1), location);
    default:
      return undefined;
  }
}

/** `#.rest`: `rest` of every element that has it. */
function gatherEach(node: readonly unknown[], rest: readonly Segment[], location: Location): GjsonResult {
  const found = node.map((el, k) => getFrom(asContainer(el), rest, [...location, k])).filter((r) => r.exists);
  return gatheredResult(found);
}

/** Scalars inside an array have no fields: gjson finds nothing below them. */
function asContainer(v: unknown): unknown {
  return Array.isArray(v) || isRecord(v) ? v : undefined;
}

function evalQuery(
  node: readonly unknown[],
  step: { query: Query; all: boolean },
  rest: readonly Segment[],
  location: Location,
): GjsonResult | undefined {
  const found: GjsonResult[] = [];
  for (let k = 0; k < node.length; k++) {
    const el = node[k];
    const loc = [...location, k];
    const operand = queryOperand(el, step.query, loc);
    if (operand === undefined || !queryMatches(step.query, operand)) continue;
    const res = rest.length > 0 ? getFrom(asContainer(el), rest, loc) : resultOf(el, loc);
    if (!step.all) return res;
    if (res.exists) found.push(res);
  }
  return step.all ? gatheredResult(found) : undefined;
}

/** What a query compares: a field of an object/array element, or a scalar element itself (undefined: no match). */
function queryOperand(el: unknown, query: Query, location: Location): GjsonResult | undefined {
  if (Array.isArray(el) || isRecord(el)) return getFrom(el, query.path, location);
  return query.text === '' ? resultOf(el, location) : undefined;
}

function queryMatches(query: Query, operand: GjsonResult): boolean {
  let value = operand;
  let rhs = query.value;
  if (rhs.startsWith('~')) {
    const ish = truthiness(rhs.slice(1), value);
    rhs = ish === undefined ? '' : 'true';
    value = ish === undefined ? MISSING : resultOf(ish, []);
  }
  if (!value.exists) return false;
  if (query.op === '') return true;
  switch (value.type) {
    case 'String':
      return compareStrings(query.op, value.string(), rhs);
    case 'Number':
      return compareNumbers(query.op, value.num(), parseGoFloat(rhs));
    case 'True':
      return compareTrue(query.op, rhs);
    case 'False':
      return compareFalse(query.op, rhs);
    default:
      return false;
  }
}

/** gjson's `~` conversions: `~true`, `~false`, `~null`, `~*`. */
function truthiness(kind: string, v: GjsonResult): boolean | undefined {
  switch (kind) {
    case '*':
      return v.exists;
    case 'null':
      return v.type === 'Null';
    case 'true':
      return trueish(v);
    case 'false':
      return falseish(v);
    default:
      return undefined;
  }
}

function trueish(v: GjsonResult): boolean {
  if (v.type === 'String') return parseGoBool(v.string().toLowerCase()) === true;
  if (v.type === 'Number') return v.num() !== 0;
  return v.type === 'True';
}

function falseish(v: GjsonResult): boolean {
  if (v.type === 'String') return parseGoBool(v.string().toLowerCase()) === false;
  if (v.type === 'Number') return v.num() === 0;
  return v.type === 'Null' || v.type === 'False';
}

function compareStrings(op: string, a: string, b: string): boolean {
  const c = compareCodePoints(a, b);
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '%':
      return compileGlob(b).test(a);
    case '!%':
      return !compileGlob(b).test(a);
    default:
      return false;
  }
}

function compareNumbers(op: string, a: number, b: number): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    default:
      return false;
  }
}

function compareTrue(op: string, rhs: string): boolean {
  switch (op) {
    case '=':
      return rhs === 'true';
    case '!=':
      return rhs !== 'true';
    case '>':
      return rhs === 'false';
    case '>=':
      return true;
    default:
      return false;
  }
}

function compareFalse(op: string, rhs: string): boolean {
  switch (op) {
    case '=':
      return rhs === 'false';
    case '!=':
      return rhs !== 'false';
    case '<':
      return rhs === 'true';
    case '<=':
      return true;
    default:
      return false;
  }
}
