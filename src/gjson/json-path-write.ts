// Writing and deleting at gjson/sjson paths (tidwall/sjson's Set and Delete),
// pure like the reading side in json-path.ts: a new document sharing
// unchanged subtrees is returned.
import { isRecord } from '../kube/object.ts';
import { getResult } from './json-path.ts';
import {
  compileJsonPath,
  JsonPathError,
  MAX_ARRAY_PADDING,
  type JsonPath,
  type Location,
  type SetPart,
} from './json-path-syntax.ts';

const NO_CHANGE = Symbol('no change');
const REMOVE = Symbol('remove');

interface WriteOp {
  readonly path: JsonPath;
  readonly del: boolean;
  readonly value: unknown;
}

/**
 * sjson's `Set`: `doc` with `value` at `path`, creating missing objects and
 * arrays on the way (a numeric component creates an array and pads it with
 * nulls, `-1` appends, `:0` forces an object key) and replacing scalars that
 * stand in the way. Complex paths (wildcards, `#`) only overwrite values gjson
 * finds, and change nothing otherwise. Returns a new document sharing
 * unchanged subtrees with `doc`, or `doc` itself when nothing changes. Throws
 * JsonPathError where sjson fails (a non-numeric key on an array, or an index
 * needing more than MAX_ARRAY_PADDING nulls).
 */
export function setPath(doc: unknown, path: string | JsonPath, value: unknown): unknown {
  const compiled = typeof path === 'string' ? compileJsonPath(path) : path;
  const op: WriteOp = { path: compiled, del: false, value: value ?? null };
  if (compiled.setParts === undefined) return setComplex(doc, op);
  const out = writeSimple(doc, compiled.setParts, 0, op);
  return out === NO_CHANGE ? doc : out;
}

/**
 * sjson's `Delete`: `doc` without the value at `path` (`-1` is the last array
 * element); `doc` itself when there is nothing to delete. Throws
 * JsonPathError for complex paths, which sjson cannot delete from.
 */
export function deletePath(doc: unknown, path: string | JsonPath): unknown {
  const compiled = typeof path === 'string' ? compileJsonPath(path) : path;
  if (compiled.setParts === undefined) {
    throw new JsonPathError(compiled.source, 'cannot delete value from a complex path');
  }
  const out = writeSimple(doc, compiled.setParts, 0, { path: compiled, del: true, value: undefined });
  return out === NO_CHANGE ? doc : out;
}

function writeSimple(node: unknown, parts: readonly SetPart[], i: number, op: WriteOp): unknown {
  const p = parts[i];
  if (p === undefined) return NO_CHANGE;
  const key = lookupForWrite(node, p, op.del);
  if (key !== undefined) {
    const more = i + 1 < parts.length;
    const replacement = more ? writeSimple(childAt(node, key), parts, i + 1, op) : op.del ? REMOVE : op.value;
    return replacement === NO_CHANGE ? NO_CHANGE : withChild(node, key, replacement);
  }
  if (op.del) return NO_CHANGE;
  return insertNew(node, parts, i, op);
}

/** gjson's lookup of one sjson component; undefined when not found. */
function lookupForWrite(node: unknown, p: SetPart, del: boolean): string | number | undefined {
  if (Array.isArray(node)) {
    if (del && p.part === '-1' && !p.force && node.length > 0) return node.length - 1;
    if (!/^[0-9]+$/.test(p.gpart)) return undefined;
    const n = Number(p.gpart);
    return n < node.length ? n : undefined;
  }
  if (isRecord(node)) return Object.hasOwn(node, p.part) && node[p.part] !== undefined ? p.part : undefined;
  return undefined;
}

function childAt(node: unknown, key: string | number): unknown {
  if (Array.isArray(node) && typeof key === 'number') return node[key];
  return isRecord(node) && typeof key === 'string' ? node[key] : undefined;
}

function withChild(node: unknown, key: string | number, value: unknown): unknown {
  if (Array.isArray(node) && typeof key === 'number') {
    const arr: readonly unknown[] = node;
    return value === REMOVE ? arr.filter((_, k) => k !== key) : arr.map((v, k) => (k === key ? value : v));
  }
  const obj = isRecord(node) ? node : {};
  if (value === REMOVE) return Object.fromEntries(Object.entries(obj).filter(([k]) => k !== key));
  return { ...obj, [String(key)]: value };
}

/** sjson's not-found branch: add the missing key or element, building what lies below it. */
function insertNew(node: unknown, parts: readonly SetPart[], i: number, op: WriteOp): unknown {
  const p = parts[i];
  if (p === undefined) return NO_CHANGE;
  const built = buildValue(parts, i, op);
  if (isRecord(node)) return { ...node, [p.part]: built };
  if (Array.isArray(node)) return appendElement(node, p, built, op);
  return atoui(p).numeric ? appendElement([], p, built, op) : { [p.part]: built };
}

function appendElement(arr: readonly unknown[], p: SetPart, built: unknown, op: WriteOp): unknown[] {
  const { n, numeric } = atoui(p);
  if (!numeric) {
    if (p.part === '-1' && !p.force) return [...arr, built];
    throw new JsonPathError(op.path.source, `cannot set array element for non-numeric key '${p.part}'`);
  }
  return [...arr, ...nulls(n - arr.length, op), built];
}

function nulls(n: number, op: WriteOp): null[] {
  if (n > MAX_ARRAY_PADDING) {
    throw new JsonPathError(op.path.source, `refusing to pad an array with ${n} nulls (limit ${MAX_ARRAY_PADDING})`);
  }
  return n > 0 ? new Array<null>(n).fill(null) : [];
}

/** sjson's appendBuild: the value for parts[i], with containers for the components after it. */
function buildValue(parts: readonly SetPart[], i: number, op: WriteOp): unknown {
  const next = parts[i + 1];
  if (next === undefined) return op.value;
  const inner = buildValue(parts, i + 1, op);
  const { n, numeric } = atoui(next);
  if (numeric || (!next.force && next.part === '-1')) return [...nulls(n, op), inner];
  return { [next.part]: inner };
}

/** sjson's atoui: all digits (the empty string counts, as 0) and not forced. */
function atoui(p: SetPart): { n: number; numeric: boolean } {
  if (p.force || !/^[0-9]*$/.test(p.part)) return { n: 0, numeric: false };
  return { n: p.part === '' ? 0 : Number(p.part), numeric: true };
}

/** sjson's setComplexPath: overwrite what gjson finds, in place. */
function setComplex(doc: unknown, op: WriteOp): unknown {
  const res = getResult(doc, op.path);
  if (!res.exists) return doc;
  const targets = res.locations ?? (res.location === undefined ? [] : [res.location]);
  let out = doc;
  for (const loc of targets) {
    if (loc === undefined) {
      throw new JsonPathError(op.path.source, 'cannot set values through a computed path');
    }
    out = setAt(out, loc, 0, op.value);
  }
  return out;
}

function setAt(node: unknown, loc: Location, i: number, value: unknown): unknown {
  const key = loc[i];
  if (key === undefined) return value;
  return withChild(node, key, setAt(childAt(node, key), loc, i + 1, value));
}
