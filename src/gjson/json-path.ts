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
 * JSON text in go-json.ts, the result type in gjson-result.ts.
 */
import { isRecord } from '../kube/object.ts';
import { compareCodePoints, sortedKeys } from './go-json.ts';
import {
  countResult,
  gatheredResult,
  GjsonResult,
  MISSING,
  parseGoBool,
  parseGoFloat,
  resultOf,
} from './gjson-result.ts';
import {
  compileGlob,
  compileJsonPath,
  type JsonPath,
  type Location,
  type Query,
  type Segment,
} from './json-path-syntax.ts';

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
