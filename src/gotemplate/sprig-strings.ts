/**
 * Sprig's string functions. Like Go, lengths and offsets (`trunc`,
 * `substr`, `abbrev`, `wrap`) count UTF-8 bytes, and case mappings are
 * per code point.
 */
import { toKebabCase, toPascalCase, toSnakeCase } from './case-words.ts';
import { FunctionError } from './errors.ts';
import { formatValue, sprint } from './fmt.ts';
import { fn, type TemplateFunction } from './functions.ts';
import { quoteString } from './quote.ts';
import {
  isLower,
  isSpace,
  isTitle,
  isUpper,
  mapRunes,
  runes,
  toLower,
  toTitle,
  toUpper,
  trimSpace,
} from './unicode.ts';
import {
  GoInt,
  byteLength,
  compareStrings,
  isStruct,
  mapSet,
  newMap,
  stringSlice,
  utf8Decode,
  utf8Encode,
  withGoType,
} from './values.ts';

const str = (v: unknown): string => v as string;
const num = (v: unknown): number => Number((v as GoInt).value);

/** sprig's strval: strings as is, Stringers via String(), anything else via `%v`. */
export function strval(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isStruct(v)) {
    const s = v as { Error?: unknown; String?: unknown };
    if (typeof s.Error === 'function') return String((s.Error as () => unknown).call(v));
    if (typeof s.String === 'function') return String((s.String as () => unknown).call(v));
  }
  return formatValue(v);
}

/** sprig's strslice: a list's non-nil items as strings, or a single value as a one-item list. */
export function strslice(v: unknown): string[] {
  if (Array.isArray(v)) return stringSlice(v.filter((x) => x !== null && x !== undefined).map(strval));
  if (v === null || v === undefined) return stringSlice([]);
  return stringSlice([strval(v)]);
}

/** Go's s[lo:hi] on UTF-8 bytes; panics (FunctionError) when out of range like Go. */
function bytes(s: string, lo: number, hi?: number): string {
  const b = utf8Encode(s);
  const end = hi ?? b.length;
  if (end < 0 || end > b.length) {
    throw new FunctionError(`runtime error: slice bounds out of range [:${end}] with length ${b.length}`);
  }
  if (lo < 0 || end < lo) throw new FunctionError(`runtime error: slice bounds out of range [${lo}:${end}]`);
  return utf8Decode(b.subarray(lo, end));
}

function trunc(c: number, s: string): string {
  const len = byteLength(s);
  if (c < 0 && len + c > 0) return bytes(s, len + c);
  if (c >= 0 && len > c) return bytes(s, 0, c);
  return s;
}

function substr(start: number, end: number, s: string): string {
  if (start < 0) return bytes(s, 0, end);
  if (end < 0 || end > byteLength(s)) return bytes(s, start);
  return bytes(s, start, end);
}

function repeat(count: number, s: string): string {
  if (count < 0) throw new FunctionError('strings: negative Repeat count');
  if (count * s.length > 1 << 28) throw new FunctionError('strings: Repeat output length overflow');
  return s.repeat(count);
}

/** Go's strings.Trim(s, cutset). */
function trimCutset(s: string, cutset: string): string {
  const cut = new Set(cutset);
  const chars = runes(s);
  let start = 0;
  let end = chars.length;
  while (start < end && cut.has(chars[start] ?? '')) start++;
  while (end > start && cut.has(chars[end - 1] ?? '')) end--;
  return chars.slice(start, end).join('');
}

/** Go's strings.Replace(s, old, new, -1): an empty `old` matches before every code point and at the end. */
function replaceAll(s: string, old: string, replacement: string): string {
  if (old !== '') return s.split(old).join(replacement);
  return (
    replacement +
    runes(s)
      .map((ch) => ch + replacement)
      .join('')
  );
}

/** Go's strings.SplitN (n < 0: all). An empty separator splits into code points. */
export function splitN(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  if (sep === '') {
    const chars = runes(s);
    if (n < 0 || n >= chars.length) return chars;
    return [...chars.slice(0, n - 1), chars.slice(n - 1).join('')];
  }
  const parts = s.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

function indexedMap(parts: string[]): Record<string, unknown> {
  const m = withGoType(newMap(), 'map[string]string');
  parts.forEach((p, i) => {
    mapSet(m, `_${i}`, p);
  });
  return m;
}

/** Go's strings.Title: the first letter of each word mapped to title case. */
function title(s: string): string {
  let prev = ' ';
  return mapRunes(s, (ch) => {
    const sep = isTitleSeparator(prev);
    prev = ch;
    return sep ? toTitle(ch) : ch;
  });
}

function isTitleSeparator(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp <= 0x7f) return !/[0-9A-Za-z_]/.test(ch);
  if (/^[\p{L}\p{Nd}]$/u.test(ch)) return false;
  return isSpace(ch);
}

/** goutils.Uncapitalize: lower-cases the first letter of each space-separated word. */
function untitle(s: string): string {
  let next = true;
  return mapRunes(s, (ch) => {
    if (isSpace(ch)) {
      next = true;
      return ch;
    }
    if (!next) return ch;
    next = false;
    return toLower(ch);
  });
}

/** goutils.SwapCase. */
function swapCase(s: string): string {
  let whitespace = true;
  return mapRunes(s, (ch) => {
    if (isUpper(ch) || isTitle(ch)) {
      whitespace = false;
      return toLower(ch);
    }
    if (isLower(ch)) {
      const out = whitespace ? toTitle(ch) : toUpper(ch);
      whitespace = false;
      return out;
    }
    whitespace = isSpace(ch);
    return ch;
  });
}

/** Go code that walks a string byte by byte as runes (goutils' nospace, initials): Latin-1 per byte. */
function latin1Bytes(s: string): string[] {
  return [...utf8Encode(s)].map((b) => String.fromCharCode(b));
}

function latin1ToString(chars: string[]): string {
  return chars.join('');
}

function nospace(s: string): string {
  const chars = latin1Bytes(s);
  const kept = chars.filter((ch) => !isSpace(ch));
  return kept.length === chars.length ? s : latin1ToString(kept);
}

function initials(s: string): string {
  let gap = true;
  const out: string[] = [];
  for (const ch of latin1Bytes(s)) {
    if (isSpace(ch)) gap = true;
    else if (gap) {
      out.push(ch);
      gap = false;
    }
  }
  return latin1ToString(out);
}

/** goutils.AbbreviateFull (byte offsets); undefined where goutils returns an error. */
function abbreviateFull(s: string, offset: number, maxWidth: number): string | undefined {
  const len = byteLength(s);
  if (s === '') return '';
  if (maxWidth < 4) return undefined;
  if (len <= maxWidth) return s;
  let off = Math.min(offset, len);
  if (len - off < maxWidth - 3) off = len - (maxWidth - 3);
  if (off <= 4) return bytes(s, 0, maxWidth - 3) + '...';
  if (maxWidth < 7) return undefined;
  if (off + maxWidth - 3 < len) return '...' + (abbreviateFull(bytes(s, off), 0, maxWidth - 3) ?? '');
  return '...' + bytes(s, len - (maxWidth - 3));
}

function abbrev(width: number, s: string): string {
  return width < 4 ? s : (abbreviateFull(s, 0, width) ?? '');
}

function abbrevboth(left: number, right: number, s: string): string {
  if (right < 4 || (left > 0 && right < 7)) return s;
  return abbreviateFull(s, left, right) ?? '';
}

/** goutils.WrapCustom on bytes. */
function wrapCustom(s: string, width: number, newline: string, wrapLong: boolean): string {
  if (s === '') return '';
  const nl = newline === '' ? '\n' : newline;
  const w = Math.max(width, 1);
  const b = latin1Bytes(s).join('');
  let out = '';
  let offset = 0;
  while (b.length - offset > w) {
    if (b[offset] === ' ') {
      offset++;
      continue;
    }
    const space = b.slice(offset, w + offset + 1).lastIndexOf(' ') + offset;
    if (space >= offset) {
      out += b.slice(offset, space) + nl;
      offset = space + 1;
    } else if (wrapLong) {
      out += b.slice(offset, offset + w) + nl;
      offset += w;
    } else {
      const next = b.indexOf(' ', offset + w);
      if (next < 0) {
        out += b.slice(offset);
        offset = b.length;
      } else {
        out += b.slice(offset, next) + nl;
        offset = next + 1;
      }
    }
  }
  return fromLatin1(out + b.slice(offset));
}

function fromLatin1(s: string): string {
  return utf8Decode(Uint8Array.from(runes(s).map((ch) => ch.codePointAt(0) ?? 0)));
}

function quote(args: unknown[]): string {
  return args
    .filter((a) => a !== null && a !== undefined)
    .map((a) => quoteString(strval(a)))
    .join(' ');
}

function squote(args: unknown[]): string {
  return args
    .filter((a) => a !== null && a !== undefined)
    .map((a) => `'${formatValue(a)}'`)
    .join(' ');
}

function cat(args: unknown[]): string {
  return args
    .filter((a) => a !== null && a !== undefined)
    .map((a) => sprint([a]))
    .join(' ');
}

function indent(spaces: number, s: string): string {
  const pad = repeat(spaces, ' ');
  return pad + s.replaceAll('\n', '\n' + pad);
}

function sortAlpha(list: unknown): string[] {
  if (!Array.isArray(list)) return stringSlice([strval(list)]);
  return stringSlice([...strslice(list)].sort(compareStrings));
}

/** Sprig's string functions with their Go signatures. */
export function stringFunctions(): [string, TemplateFunction][] {
  const s1 = (f: (s: string) => string): TemplateFunction => fn(['string'], ([s]) => f(str(s)));
  const s2 = (f: (a: string, b: string) => string | boolean): TemplateFunction =>
    fn(['string', 'string'], ([a, b]) => f(str(a), str(b)));
  return [
    ['abbrev', fn(['int', 'string'], ([w, s]) => abbrev(num(w), str(s)))],
    ['abbrevboth', fn(['int', 'int', 'string'], ([l, r, s]) => abbrevboth(num(l), num(r), str(s)))],
    ['trunc', fn(['int', 'string'], ([c, s]) => trunc(num(c), str(s)))],
    ['trim', s1(trimSpace)],
    ['upper', s1((s) => mapRunes(s, toUpper))],
    ['lower', s1((s) => mapRunes(s, toLower))],
    ['title', s1(title)],
    ['untitle', s1(untitle)],
    ['substr', fn(['int', 'int', 'string'], ([a, b, s]) => substr(num(a), num(b), str(s)))],
    ['repeat', fn(['int', 'string'], ([c, s]) => repeat(num(c), str(s)))],
    ['trimall', s2((a, b) => trimCutset(b, a))],
    ['trimAll', s2((a, b) => trimCutset(b, a))],
    ['trimSuffix', s2((a, b) => (b.endsWith(a) ? b.slice(0, b.length - a.length) : b))],
    ['trimPrefix', s2((a, b) => (b.startsWith(a) ? b.slice(a.length) : b))],
    ['nospace', s1(nospace)],
    ['initials', s1(initials)],
    ['swapcase', s1(swapCase)],
    ['snakecase', s1(toSnakeCase)],
    ['camelcase', s1(toPascalCase)],
    ['kebabcase', s1(toKebabCase)],
    ['wrap', fn(['int', 'string'], ([l, s]) => wrapCustom(str(s), num(l), '', false))],
    ['wrapWith', fn(['int', 'string', 'string'], ([l, sep, s]) => wrapCustom(str(s), num(l), str(sep), true))],
    ['contains', s2((sub, s) => s.includes(sub))],
    ['hasPrefix', s2((p, s) => s.startsWith(p))],
    ['hasSuffix', s2((p, s) => s.endsWith(p))],
    ['quote', fn([], quote, 'any')],
    ['squote', fn([], squote, 'any')],
    ['cat', fn([], cat, 'any')],
    ['indent', fn(['int', 'string'], ([n, s]) => indent(num(n), str(s)))],
    ['nindent', fn(['int', 'string'], ([n, s]) => '\n' + indent(num(n), str(s)))],
    ['replace', fn(['string', 'string', 'string'], ([o, n, s]) => replaceAll(str(s), str(o), str(n)))],
    ['plural', fn(['string', 'string', 'int'], ([one, many, n]) => (num(n) === 1 ? one : many))],
    ['toString', fn(['any'], ([v]) => strval(v))],
    ['toStrings', fn(['any'], ([v]) => strslice(v))],
    ['split', fn(['string', 'string'], ([sep, s]) => indexedMap(splitN(str(s), str(sep), -1)))],
    ['splitList', fn(['string', 'string'], ([sep, s]) => stringSlice(splitN(str(s), str(sep), -1)))],
    ['splitn', fn(['string', 'int', 'string'], ([sep, n, s]) => indexedMap(splitN(str(s), str(sep), num(n))))],
    ['join', fn(['string', 'any'], ([sep, v]) => strslice(v).join(str(sep)))],
    ['sortAlpha', fn(['any'], ([v]) => sortAlpha(v))],
    ['hello', fn([], () => 'Hello!')],
  ];
}
