// gjson and sjson path syntax: compiling a path into what json-path.ts
// evaluates (gjson's reading of each component) and what json-path-write.ts
// writes through (sjson's simpler split). Pure.
import { quoteMeta, Regexp } from '../regexp/regexp.ts';

/** A path that cannot be compiled, or a write that sjson would refuse. */
export class JsonPathError extends Error {
  /** The offending path, as written. */
  readonly path: string;

  constructor(path: string, message: string) {
    super(message);
    this.name = 'JsonPathError';
    this.path = path;
  }
}

/** Where a value lives: object keys and array indexes from the root. */
export type Location = readonly (string | number)[];

/** gjson's value types, spelled as gjson's `Type.String()` spells them. */
export type GjsonType = 'Null' | 'False' | 'Number' | 'String' | 'True' | 'JSON';

export interface Query {
  /** The path on the left of the operator, compiled; `text` is its source. */
  readonly path: readonly Segment[];
  readonly text: string;
  /** `''` (existence only), `=`, `!=`, `<`, `<=`, `>`, `>=`, `%`, `!%`. */
  readonly op: string;
  /** The right-hand side, unquoted. */
  readonly value: string;
}

export type ArrayStep =
  | { readonly kind: 'index'; readonly n: number }
  | { readonly kind: 'hash' }
  | { readonly kind: 'query'; readonly query: Query; readonly all: boolean }
  | { readonly kind: 'none' };

/** One dot-separated component as gjson reads it. */
export interface Segment {
  /** The component's text with escapes removed: the object key. */
  readonly key: string;
  /** Set when the key has `*` or `?`: matches keys by glob. */
  readonly glob: Glob | undefined;
  /** What the component means when the value is an array. */
  readonly array: ArrayStep;
}

/** One component as sjson reads it (only for paths sjson calls simple). */
export interface SetPart {
  /** The key with escapes removed (and without the `:` prefix). */
  readonly part: string;
  /** The text handed to gjson to look the key up (escapes kept). */
  readonly gpart: string;
  /** `:` prefix: always an object key, never an index or append. */
  readonly force: boolean;
}

/** A compiled path: parse once, use for many documents. */
export interface JsonPath {
  readonly source: string;
  /** The components as gjson reads them. */
  readonly segments: readonly Segment[];
  /**
   * The components as sjson reads them, or undefined when sjson considers
   * the path complex (wildcards, `#`, `@`): such paths only overwrite values
   * that gjson finds, and cannot be used to delete.
   */
  readonly setParts: readonly SetPart[] | undefined;
}

const GJSON_MODIFIERS = new Set([
  'pretty',
  'ugly',
  'reverse',
  'this',
  'flatten',
  'join',
  'valid',
  'keys',
  'values',
  'tostr',
  'fromstr',
  'group',
  'dig',
]);

/** Most nulls a write may insert to reach an index past the end of an array. */
export const MAX_ARRAY_PADDING = 10_000;

/**
 * Compiles a path, throwing JsonPathError for empty paths and for gjson
 * syntax this module does not implement. Pure.
 */
export function compileJsonPath(path: string): JsonPath {
  if (path === '') throw new JsonPathError(path, 'path cannot be empty');
  if (path.startsWith('..')) throw new JsonPathError(path, 'JSON-lines paths (`..`) are not supported');
  if (path.length > 1 && path.startsWith('!')) throw new JsonPathError(path, 'literal paths (`!`) are not supported');
  return { source: path, segments: tokenize(path, path), setParts: parseSetPath(path) };
}

function tokenize(path: string, whole: string): Segment[] {
  const segments: Segment[] = [];
  let start = 0;
  for (;;) {
    const { segment, end } = readSegment(path, start, whole);
    segments.push(segment);
    if (end >= path.length) return segments;
    start = end + 1;
  }
}

function readSegment(path: string, start: number, whole: string): { segment: Segment; end: number } {
  if (path.startsWith('#(', start) || path.startsWith('#[', start)) return readQuerySegment(path, start, whole);
  const first = path[start];
  if (first === '[' || first === '{') throw new JsonPathError(whole, 'multipaths (`[...]`, `{...}`) are not supported');
  const { key, raw, wild, end } = scanKey(path, start, whole);
  if (first === '@' && GJSON_MODIFIERS.has(key.slice(1).split(':')[0] ?? '')) {
    throw new JsonPathError(whole, `modifiers (\`${key}\`) are not supported`);
  }
  return { segment: { key, glob: wild ? compileGlob(key) : undefined, array: arrayStepOf(raw) }, end };
}

/** Reads one key up to the next unescaped dot, the way gjson's parseObjectPath does. */
function scanKey(path: string, start: number, whole: string): { key: string; raw: string; wild: boolean; end: number } {
  let key = '';
  let raw = '';
  let wild = false;
  let i = start;
  for (; i < path.length && path[i] !== '.'; i++) {
    const ch = path[i] ?? '';
    if (ch === '|') throw new JsonPathError(whole, 'pipes (`|`) are not supported');
    if (ch === '\\') {
      i++;
      key += path[i] ?? '';
      raw += `\\${path[i] ?? ''}`;
      continue;
    }
    if (ch === '*' || ch === '?') wild = true;
    key += ch;
    raw += ch;
  }
  return { key, raw, wild, end: i };
}

function arrayStepOf(raw: string): ArrayStep {
  if (raw === '#') return { kind: 'hash' };
  if (/^[0-9]+$/.test(raw)) return { kind: 'index', n: Number(raw) };
  return { kind: 'none' };
}

/** Reads `#(...)` or `#(...)#` (or the `[`/`]` spelling) the way gjson's parseQuery does. */
function readQuerySegment(path: string, start: number, whole: string): { segment: Segment; end: number } {
  const close = findQueryEnd(path, start);
  if (close === undefined) throw new JsonPathError(whole, 'unterminated query');
  let end = close + 1;
  const all = path[end] === '#';
  if (all) end++;
  if (end < path.length && path[end] !== '.') throw new JsonPathError(whole, 'unexpected text after a query');
  const query = parseQueryBody(path.slice(start + 2, close), whole);
  return { segment: { key: path.slice(start, end), glob: undefined, array: { kind: 'query', query, all } }, end };
}

function findQueryEnd(path: string, start: number): number | undefined {
  let depth = 1;
  for (let i = start + 2; i < path.length; i++) {
    const ch = path[i];
    if (ch === '\\') i++;
    else if (ch === '[' || ch === '(') depth++;
    else if (ch === ']' || ch === ')') {
      depth--;
      if (depth === 0) return i;
    } else if (ch === '"') i = skipQuoted(path, i);
  }
  return undefined;
}

/** Index of the closing quote of the string opening at `i` (or the end). */
function skipQuoted(text: string, i: number): number {
  let j = i + 1;
  for (; j < text.length && text[j] !== '"'; j++) {
    if (text[j] === '\\') j++;
  }
  return j;
}

const QUERY_OPS = ['!=', '!%', '<=', '>=', '==', '<', '>', '=', '%'] as const;

function parseQueryBody(body: string, whole: string): Query {
  const opAt = findOperator(body);
  const left = goTrim(opAt === undefined ? body : body.slice(0, opAt));
  const query = { path: left === '' ? [EMPTY_KEY] : tokenize(left, whole), text: left };
  if (opAt === undefined) return { ...query, op: '', value: '' };
  let rest = goTrim(body.slice(opAt));
  const op = rest.length === 1 ? rest : (QUERY_OPS.find((o) => rest.startsWith(o)) ?? '');
  rest = goTrim(rest.slice(op.length));
  return { ...query, op: op === '==' ? '=' : op, value: unquoteQueryValue(rest) };
}

const EMPTY_KEY: Segment = { key: '', glob: undefined, array: { kind: 'none' } };

/** Where the operator starts: the first `!`, `=`, `<`, `>` or `%` at depth 1, outside strings. */
function findOperator(body: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] ?? '';
    if (depth === 0 && '!=<>%'.includes(ch)) return i;
    if (ch === '\\') i++;
    else if (ch === '[' || ch === '(') depth++;
    else if (ch === ']' || ch === ')') depth--;
    else if (ch === '"') i = skipQuoted(body, i);
  }
  return undefined;
}

function unquoteQueryValue(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  const inner = value.slice(1, -1);
  if (!inner.includes('\\')) return inner;
  try {
    const parsed: unknown = JSON.parse(`"${inner}"`);
    return typeof parsed === 'string' ? parsed : inner;
  } catch {
    return inner;
  }
}

/** gjson's `trim`: drops leading and trailing bytes <= space. */
function goTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 32) a++;
  while (b > a && s.charCodeAt(b - 1) <= 32) b--;
  return s.slice(a, b);
}

/** A tidwall/match glob, compiled. */
export interface Glob {
  test(s: string): boolean;
}

const NEVER: Glob = { test: () => false };

/**
 * tidwall/match globs: `*` any run, `?` one character, `\` escapes the next
 * one. A trailing lone `\` is a literal backslash when an unescaped `*` comes
 * before it (tidwall/match compares the text after the last star backwards)
 * and matches nothing otherwise. Matched by RE2, in time linear in the value:
 * a backtracking matcher takes polynomial time on `*a*a*a*a*b` (V8 needed 6 s
 * for 200 characters). gjson bounds its recursive matcher instead and reports
 * no match past 10000 steps per byte of the value; a pattern and value that
 * far in give the true answer here.
 */
export function compileGlob(pattern: string): Glob {
  let src = '';
  let escaped = false;
  let star = false;
  for (const ch of pattern) {
    if (escaped) src += quoteMeta(ch);
    else if (ch === '*') src += '.*';
    else if (ch === '?') src += '.';
    else if (ch !== '\\') src += quoteMeta(ch);
    star ||= !escaped && ch === '*';
    escaped = !escaped && ch === '\\';
  }
  if (escaped && !star) return NEVER;
  if (escaped) src += quoteMeta('\\');
  const re = Regexp.compile(`(?s)^${src}$`);
  return { test: (s) => re.matchString(s) };
}

// ---------------------------------------------------------------------------
// sjson's reading of a path (the writes are in json-path-write.ts)
// ---------------------------------------------------------------------------

const SJSON_COMPLEX = new Set(['|', '#', '@', '*', '?']);

/** sjson's path split; undefined when sjson would treat the path as complex. */
function parseSetPath(path: string): SetPart[] | undefined {
  const parts: SetPart[] = [];
  let rest: string | undefined = path;
  while (rest !== undefined) {
    const parsed = parseSetPart(rest);
    if (parsed === undefined) return undefined;
    parts.push(parsed.part);
    rest = parsed.rest;
  }
  return parts;
}

function parseSetPart(path: string): { part: SetPart; rest: string | undefined } | undefined {
  const force = path.startsWith(':');
  const text = force ? path.slice(1) : path;
  let part = '';
  let i = 0;
  for (; i < text.length && text[i] !== '.'; i++) {
    const ch = text[i] ?? '';
    if (SJSON_COMPLEX.has(ch)) return undefined;
    if (ch === '\\') {
      i++;
      part += text[i] ?? '';
    } else part += ch;
  }
  const rest = i < text.length ? text.slice(i + 1) : undefined;
  return { part: { part, gpart: text.slice(0, i), force }, rest };
}
