/**
 * Sprig's list and dict functions. Lists they build are `[]interface {}`;
 * the non-`must` variants fail the template where sprig panics. Functions
 * whose Go result depends on map iteration order (`keys`, `values`) return
 * keys in sorted order, one valid Go outcome, so that output is stable.
 */
import { FunctionError } from './errors.ts';
import { fn, type TemplateFunction } from './functions.ts';
import { toInt64 } from './sprig-numbers.ts';
import { strval } from './sprig-strings.ts';
import {
  GoInt,
  deepEqual,
  isGoMap,
  isTrue,
  kindName,
  mapGet,
  mapSet,
  newMap,
  nilSlice,
  sliceType,
  sortedKeys,
  stringSlice,
  typeName,
  withGoType,
  type GoMap,
} from './values.ts';

const map = (v: unknown): GoMap => v as GoMap;

/** The items of a list argument; fails like sprig's `Cannot <what> on type T` otherwise. */
function items(value: unknown, what: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (value === null || value === undefined) {
    throw new FunctionError('runtime error: invalid memory address or nil pointer dereference');
  }
  throw new FunctionError(`Cannot ${what} on type ${kindName(value)}`);
}

/** sprig's `empty`. */
export function isEmpty(value: unknown): boolean {
  return !isTrue(value);
}

function firstOrLast(value: unknown, what: string, pickLast: boolean): unknown {
  const xs = items(value, what);
  if (xs.length === 0) return null;
  return pickLast ? xs[xs.length - 1] : xs[0];
}

function tail(value: unknown, what: string, dropLast: boolean): unknown[] {
  const xs = items(value, what);
  if (xs.length === 0) return nilSlice();
  return dropLast ? xs.slice(0, -1) : xs.slice(1);
}

function uniq(value: unknown): unknown[] {
  const out: unknown[] = [];
  for (const x of items(value, 'find uniq')) if (!out.some((y) => deepEqual(x, y))) out.push(x);
  return out;
}

function without(value: unknown, omit: unknown[]): unknown[] {
  return items(value, 'find without').filter((x) => !omit.some((o) => deepEqual(x, o)));
}

function has(needle: unknown, haystack: unknown): boolean {
  if (haystack === null || haystack === undefined) return false;
  return items(haystack, 'find has').some((x) => deepEqual(needle, x));
}

function sliceList(value: unknown, indices: unknown[]): unknown {
  if (!Array.isArray(value)) {
    if (value === null || value === undefined) return items(value, '');
    throw new FunctionError(`list should be type of slice or array but ${kindName(value)}`);
  }
  if (value.length === 0) return null;
  const start = indices.length > 0 ? Number(toInt64(indices[0])) : 0;
  const end = indices.length < 2 ? value.length : Number(toInt64(indices[1]));
  if (start < 0 || end < start || end > value.length) {
    throw new FunctionError('reflect.Value.Slice: slice index out of bounds');
  }
  return withGoType(value.slice(start, end), sliceType(value));
}

function concat(lists: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const l of lists) {
    if (!Array.isArray(l)) throw new FunctionError(`Cannot concat type ${kindName(l)} as list`);
    out.push(...(l as unknown[]));
  }
  return out.length === 0 ? nilSlice() : out;
}

function chunk(size: number, value: unknown): unknown[] {
  const xs = items(value, 'chunk');
  if (size <= 0) throw new FunctionError('runtime error: makeslice: len out of range');
  const out: unknown[] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return withGoType(out, '[][]interface {}');
}

function dict(args: unknown[]): GoMap {
  const d = newMap();
  for (let i = 0; i < args.length; i += 2) mapSet(d, strval(args[i]), i + 1 < args.length ? args[i + 1] : '');
  return d;
}

function dig(args: unknown[]): unknown {
  if (args.length < 3) throw new FunctionError('dig needs at least three arguments');
  let current = args[args.length - 1];
  const fallback = args[args.length - 2];
  const keys = args.slice(0, -2);
  for (const [i, key] of keys.entries()) {
    if (!isGoMap(current))
      throw new FunctionError(
        `interface conversion: interface {} is ${typeName(current)}, not map[string]interface {}`,
      );
    if (typeof key !== 'string')
      throw new FunctionError(`interface conversion: interface {} is ${typeName(key)}, not string`);
    if (!Object.hasOwn(current, key)) return fallback;
    current = current[key];
    if (i === keys.length - 1) return current;
  }
  return current;
}

/** mergo's Merge (overwrite=false) / MergeWithOverwrite of map trees, in place. */
function mergeInto(dst: GoMap, src: GoMap, overwrite: boolean): void {
  for (const key of Object.keys(src)) {
    const s = src[key];
    const present = Object.hasOwn(dst, key);
    const d = present ? dst[key] : undefined;
    if (s === null || s === undefined) {
      if (overwrite) mapSet(dst, key, null);
      continue;
    }
    if (isGoMap(s) && isGoMap(d)) {
      mergeInto(d, s, overwrite);
      if (!isEmpty(d)) continue;
    }
    if (overwrite || !present || isEmpty(d)) mapSet(dst, key, s);
  }
}

function merge(args: unknown[], overwrite: boolean): GoMap {
  const [dst, ...srcs] = args.map(map);
  const target = dst === undefined || Object.isFrozen(dst) ? newMap() : dst;
  for (const src of srcs) mergeInto(target, src, overwrite);
  return target;
}

function deepCopy(value: unknown): unknown {
  if (Array.isArray(value)) return withGoType(value.map(deepCopy), sliceType(value));
  if (isGoMap(value)) {
    const out = newMap();
    for (const k of Object.keys(value)) mapSet(out, k, deepCopy(value[k]));
    return out;
  }
  return value;
}

function push(value: unknown, v: unknown, what: string, front: boolean): unknown[] {
  const xs = [...items(value, what)];
  if (front) xs.unshift(v);
  else xs.push(v);
  return xs;
}

function keys(dicts: unknown[]): string[] {
  return stringSlice(dicts.flatMap((d) => sortedKeys(map(d))));
}

function pick(d: GoMap, names: unknown[], keep: boolean): GoMap {
  const wanted = new Set(names as string[]);
  const out = newMap();
  for (const k of sortedKeys(d)) if (wanted.has(k) === keep) mapSet(out, k, d[k]);
  return out;
}

/** Sprig's list and dict functions with their Go signatures. */
export function listFunctions(): [string, TemplateFunction][] {
  const listOf = fn([], (args) => args, 'any');
  const pushFn = fn(['any', 'any'], ([l, v]) => push(l, v, 'push', false));
  return [
    ['list', listOf],
    ['tuple', listOf],
    ['append', pushFn],
    ['push', pushFn],
    ['mustAppend', pushFn],
    ['mustPush', pushFn],
    ['prepend', fn(['any', 'any'], ([l, v]) => push(l, v, 'prepend', true))],
    ['mustPrepend', fn(['any', 'any'], ([l, v]) => push(l, v, 'prepend', true))],
    ['first', fn(['any'], ([l]) => firstOrLast(l, 'find first', false))],
    ['mustFirst', fn(['any'], ([l]) => firstOrLast(l, 'find first', false))],
    ['last', fn(['any'], ([l]) => firstOrLast(l, 'find last', true))],
    ['mustLast', fn(['any'], ([l]) => firstOrLast(l, 'find last', true))],
    ['rest', fn(['any'], ([l]) => tail(l, 'find rest', false))],
    ['mustRest', fn(['any'], ([l]) => tail(l, 'find rest', false))],
    ['initial', fn(['any'], ([l]) => tail(l, 'find initial', true))],
    ['mustInitial', fn(['any'], ([l]) => tail(l, 'find initial', true))],
    ['reverse', fn(['any'], ([l]) => [...items(l, 'find reverse')].reverse())],
    ['mustReverse', fn(['any'], ([l]) => [...items(l, 'find reverse')].reverse())],
    ['uniq', fn(['any'], ([l]) => uniq(l))],
    ['mustUniq', fn(['any'], ([l]) => uniq(l))],
    ['without', fn(['any'], ([l, ...o]) => without(l, o), 'any')],
    ['mustWithout', fn(['any'], ([l, ...o]) => without(l, o), 'any')],
    ['has', fn(['any', 'any'], ([n, h]) => has(n, h))],
    ['mustHas', fn(['any', 'any'], ([n, h]) => has(n, h))],
    ['compact', fn(['any'], ([l]) => items(l, 'compact').filter((x) => !isEmpty(x)))],
    ['mustCompact', fn(['any'], ([l]) => items(l, 'compact').filter((x) => !isEmpty(x)))],
    ['slice', fn(['any'], ([l, ...i]) => sliceList(l, i), 'any')],
    ['mustSlice', fn(['any'], ([l, ...i]) => sliceList(l, i), 'any')],
    ['concat', fn([], concat, 'any')],
    ['chunk', fn(['int', 'any'], ([n, l]) => chunk(Number((n as GoInt).value), l))],
    ['mustChunk', fn(['int', 'any'], ([n, l]) => chunk(Number((n as GoInt).value), l))],
    ['dict', fn([], dict, 'any')],
    ['get', fn(['map', 'string'], ([d, k]) => (Object.hasOwn(map(d), k as string) ? mapGet(map(d), k as string) : ''))],
    [
      'set',
      fn(['map', 'string', 'any'], ([d, k, v]) => {
        mapSet(map(d), k as string, v);
        return d;
      }),
    ],
    [
      'unset',
      fn(['map', 'string'], ([d, k]) => {
        Reflect.deleteProperty(map(d), k as string);
        return d;
      }),
    ],
    ['hasKey', fn(['map', 'string'], ([d, k]) => Object.hasOwn(map(d), k as string))],
    [
      'pluck',
      fn(
        ['string'],
        ([k, ...ds]) => ds.filter((d) => Object.hasOwn(map(d), k as string)).map((d) => map(d)[k as string]),
        'map',
      ),
    ],
    ['keys', fn([], keys, 'map')],
    ['values', fn(['map'], ([d]) => sortedKeys(map(d)).map((k) => map(d)[k]))],
    ['pick', fn(['map'], ([d, ...ks]) => pick(map(d), ks, true), 'string')],
    ['omit', fn(['map'], ([d, ...ks]) => pick(map(d), ks, false), 'string')],
    ['merge', fn(['map'], (args) => merge(args, false), 'map')],
    ['mustMerge', fn(['map'], (args) => merge(args, false), 'map')],
    ['mergeOverwrite', fn(['map'], (args) => merge(args, true), 'map')],
    ['mustMergeOverwrite', fn(['map'], (args) => merge(args, true), 'map')],
    ['deepCopy', fn(['any'], ([v]) => deepCopy(v))],
    ['mustDeepCopy', fn(['any'], ([v]) => deepCopy(v))],
    ['dig', fn([], dig, 'any')],
  ];
}
