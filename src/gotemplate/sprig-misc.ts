/**
 * The rest of sprig's deterministic functions: defaults, JSON, type
 * reflection, paths, base64/base32, hashes, regular expressions and `fail`.
 */
import { createHash } from 'node:crypto';
import { sha1Hex } from '../translate/hashes.ts';
import { quoteMeta, Regexp } from '../regexp/regexp.ts';
import { FunctionError } from './errors.ts';
import { fn, type TemplateFunction } from './functions.ts';
import { marshalIndentJSON, marshalJSON, unmarshalJSON } from './json.ts';
import { canBackquote, quoteString } from './quote.ts';
import { isEmpty } from './sprig-lists.ts';
import { deepEqual, kindName, stringSlice, typeName, utf8Decode, utf8Encode } from './values.ts';

const str = (v: unknown): string => v as string;

// ---- paths (Go's path package) ---------------------------------------------------

/** Go's path.Clean. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') out.push(part);
    else if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (!rooted) out.push('..');
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

function basePath(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function dirPath(p: string): string {
  return cleanPath(p.slice(0, p.lastIndexOf('/') + 1));
}

function extPath(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== '/'; i--) {
    if (p[i] === '.') return p.slice(i);
  }
  return '';
}

// ---- base64 / base32 ---------------------------------------------------------------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function corrupt(offset: number): FunctionError {
  return new FunctionError(`illegal base64 data at input byte ${offset}`);
}

function skipNewlines(src: string, si: number): number {
  let i = si;
  while (i < src.length && (src[i] === '\n' || src[i] === '\r')) i++;
  return i;
}

/** After a `=` at quantum position j: checks the padding and what follows it. */
function checkPadding(src: string, si: number, j: number): number {
  let i = si;
  if (j < 2) throw corrupt(i - 1);
  if (j === 2) {
    i = skipNewlines(src, i);
    if (i === src.length) throw corrupt(src.length);
    if (src[i] !== '=') throw corrupt(i - 1);
    i++;
  }
  i = skipNewlines(src, i);
  if (i < src.length) throw corrupt(i);
  return i;
}

/** Reads up to four base64 digits from `start`, skipping newlines, stopping at `=` or the end. */
function readQuantum(src: string, start: number): { digits: number[]; next: number; padded: boolean } {
  const digits: number[] = [];
  let si = start;
  while (digits.length < 4 && si < src.length) {
    const ch = src[si] ?? '';
    si++;
    if (ch === '=') return { digits, next: si, padded: true };
    if (ch === '\n' || ch === '\r') continue;
    const value = B64.indexOf(ch);
    if (value < 0) throw corrupt(si - 1);
    digits.push(value);
  }
  return { digits, next: si, padded: false };
}

/** One 4-character quantum of Go's base64 decoder; returns the next offset and the decoded bytes. */
function decodeQuantum(src: string, start: number): { next: number; bytes: number[] } {
  const { digits, next, padded } = readQuantum(src, start);
  let si = next;
  if (padded) si = checkPadding(src, si, digits.length);
  else if (digits.length === 0) return { next: si, bytes: [] };
  else if (digits.length < 4) throw corrupt(si - digits.length);
  const [a = 0, b = 0, c = 0, d = 0] = digits;
  const val = (a << 18) | (b << 12) | (c << 6) | d;
  return { next: si, bytes: [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff].slice(0, digits.length - 1) };
}

/** Go's base64.StdEncoding.DecodeString, decoded as a string; sprig returns the error text instead. */
function b64dec(s: string): string {
  const src = [...utf8Encode(s)].map((b) => String.fromCharCode(b)).join('');
  const out: number[] = [];
  try {
    for (let si = 0; si < src.length;) {
      const { next, bytes } = decodeQuantum(src, si);
      out.push(...bytes);
      if (next === si) break;
      si = next;
    }
  } catch (err) {
    if (err instanceof FunctionError) return err.message;
    throw err;
  }
  return utf8Decode(Uint8Array.from(out));
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function b32enc(s: string): string {
  const bytes = utf8Encode(s);
  let out = '';
  for (let i = 0; i < bytes.length; i += 5) {
    const chunk = [...bytes.subarray(i, i + 5)];
    let bits = 0n;
    for (let k = 0; k < 5; k++) bits = (bits << 8n) | BigInt(chunk[k] ?? 0);
    const chars = Math.ceil((chunk.length * 8) / 5);
    for (let k = 0; k < 8; k++) out += k < chars ? (B32[Number((bits >> BigInt(35 - 5 * k)) & 31n)] ?? '') : '=';
  }
  return out;
}

function b32dec(s: string): string {
  const clean = s.replace(/[\r\n]/g, '');
  if (clean.length % 8 !== 0 || !/^[A-Z2-7]*=*$/.test(clean)) return 'illegal base32 data at input byte 0';
  const out: number[] = [];
  for (let i = 0; i < clean.length; i += 8) {
    const quantum = clean.slice(i, i + 8).replace(/=+$/, '');
    let bits = 0n;
    for (let k = 0; k < 8; k++) bits = (bits << 5n) | BigInt(Math.max(B32.indexOf(quantum[k] ?? 'A'), 0));
    const count = Math.floor((quantum.length * 5) / 8);
    for (let k = 0; k < count; k++) out.push(Number((bits >> BigInt(32 - 8 * k)) & 0xffn));
  }
  return utf8Decode(Uint8Array.from(out));
}

// ---- hashes ------------------------------------------------------------------------

function hexDigest(algorithm: string, s: string): string {
  return createHash(algorithm).update(s, 'utf8').digest('hex');
}

function adler32(s: string): string {
  let a = 1;
  let b = 0;
  for (const byte of utf8Encode(s)) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return String((b * 65536 + a) >>> 0);
}

// ---- regular expressions --------------------------------------------------------------

/** Compiles for the `must…` functions, which return Go's compile error as is. */
function compile(pattern: string): Regexp {
  try {
    return Regexp.compile(pattern);
  } catch (err) {
    throw new FunctionError(err instanceof Error ? err.message : String(err));
  }
}

/** Compiles like Go's regexp.MustCompile, whose panic message names the pattern. */
function mustCompile(pattern: string): Regexp {
  try {
    return Regexp.compile(pattern);
  } catch (err) {
    const quoted = canBackquote(pattern) ? `\`${pattern}\`` : quoteString(pattern);
    throw new FunctionError(`regexp: Compile(${quoted}): ${err instanceof Error ? err.message : String(err)}`);
  }
}

function regexMatch(pattern: string, s: string): boolean {
  try {
    return Regexp.compile(pattern).matchString(s);
  } catch {
    return false;
  }
}

function regexFindAll(pattern: string, s: string, n: bigint, compiler = mustCompile): string[] {
  return stringSlice(compiler(pattern).findAllString(s, n < 0n ? -1 : Number(n)));
}

// ---- defaults and JSON ----------------------------------------------------------------

function dfault(d: unknown, given: unknown[]): unknown {
  return given.length === 0 || isEmpty(given[0]) ? d : given[0];
}

function orEmpty(f: () => string): string {
  try {
    return f();
  } catch (err) {
    if (err instanceof FunctionError) return '';
    throw err;
  }
}

function fromJson(s: string): unknown {
  try {
    return unmarshalJSON(s);
  } catch {
    return null;
  }
}

/** Sprig's remaining functions with their Go signatures. */
export function miscFunctions(): [string, TemplateFunction][] {
  const s1 = (f: (s: string) => unknown): TemplateFunction => fn(['string'], ([s]) => f(str(s)));
  const sn = (v: unknown): bigint => (v as { value: bigint }).value;
  return [
    ['default', fn(['any'], ([d, ...given]) => dfault(d, given), 'any')],
    ['empty', fn(['any'], ([v]) => isEmpty(v))],
    ['coalesce', fn([], (args) => args.find((v) => !isEmpty(v)) ?? null, 'any')],
    ['all', fn([], (args) => args.every((v) => !isEmpty(v)), 'any')],
    ['any', fn([], (args) => args.some((v) => !isEmpty(v)), 'any')],
    ['ternary', fn(['any', 'any', 'bool'], ([t, f, c]) => (c === true ? t : f))],
    ['fromJson', s1(fromJson)],
    ['mustFromJson', s1(unmarshalJSON)],
    ['toJson', fn(['any'], ([v]) => orEmpty(() => marshalJSON(v)))],
    ['mustToJson', fn(['any'], ([v]) => marshalJSON(v))],
    ['toPrettyJson', fn(['any'], ([v]) => orEmpty(() => marshalIndentJSON(v)))],
    ['mustToPrettyJson', fn(['any'], ([v]) => marshalIndentJSON(v))],
    ['toRawJson', fn(['any'], ([v]) => marshalJSON(v, false))],
    ['mustToRawJson', fn(['any'], ([v]) => marshalJSON(v, false))],
    ['typeOf', fn(['any'], ([v]) => typeName(v))],
    ['typeIs', fn(['string', 'any'], ([t, v]) => t === typeName(v))],
    ['typeIsLike', fn(['string', 'any'], ([t, v]) => t === typeName(v) || `*${str(t)}` === typeName(v))],
    ['kindOf', fn(['any'], ([v]) => kindName(v))],
    ['kindIs', fn(['string', 'any'], ([t, v]) => t === kindName(v))],
    ['deepEqual', fn(['any', 'any'], ([a, b]) => deepEqual(a, b))],
    ['base', s1(basePath)],
    ['osBase', s1(basePath)],
    ['dir', s1(dirPath)],
    ['osDir', s1(dirPath)],
    ['clean', s1(cleanPath)],
    ['osClean', s1(cleanPath)],
    ['ext', s1(extPath)],
    ['osExt', s1(extPath)],
    ['isAbs', s1((p) => p.startsWith('/'))],
    ['osIsAbs', s1((p) => p.startsWith('/'))],
    ['b64enc', s1((s) => Buffer.from(utf8Encode(s)).toString('base64'))],
    ['b64dec', s1(b64dec)],
    ['b32enc', s1(b32enc)],
    ['b32dec', s1(b32dec)],
    ['sha1sum', s1(sha1Hex)],
    ['sha256sum', s1((s) => hexDigest('sha256', s))],
    ['sha512sum', s1((s) => hexDigest('sha512', s))],
    ['adler32sum', s1(adler32)],
    [
      'fail',
      s1((msg) => {
        throw new FunctionError(msg);
      }),
    ],
    ['regexMatch', fn(['string', 'string'], ([r, s]) => regexMatch(str(r), str(s)))],
    ['mustRegexMatch', fn(['string', 'string'], ([r, s]) => compile(str(r)).matchString(str(s)))],
    ['regexFindAll', fn(['string', 'string', 'int'], ([r, s, n]) => regexFindAll(str(r), str(s), sn(n)))],
    ['mustRegexFindAll', fn(['string', 'string', 'int'], ([r, s, n]) => regexFindAll(str(r), str(s), sn(n), compile))],
    ['regexFind', fn(['string', 'string'], ([r, s]) => mustCompile(str(r)).findString(str(s)))],
    ['mustRegexFind', fn(['string', 'string'], ([r, s]) => compile(str(r)).findString(str(s)))],
    [
      'regexReplaceAll',
      fn(['string', 'string', 'string'], ([r, s, t]) => mustCompile(str(r)).replaceAllString(str(s), str(t))),
    ],
    [
      'mustRegexReplaceAll',
      fn(['string', 'string', 'string'], ([r, s, t]) => compile(str(r)).replaceAllString(str(s), str(t))),
    ],
    [
      'regexReplaceAllLiteral',
      fn(['string', 'string', 'string'], ([r, s, t]) => mustCompile(str(r)).replaceAllLiteralString(str(s), str(t))),
    ],
    [
      'mustRegexReplaceAllLiteral',
      fn(['string', 'string', 'string'], ([r, s, t]) => compile(str(r)).replaceAllLiteralString(str(s), str(t))),
    ],
    [
      'regexSplit',
      fn(['string', 'string', 'int'], ([r, s, n]) => stringSlice(mustCompile(str(r)).split(str(s), Number(sn(n))))),
    ],
    [
      'mustRegexSplit',
      fn(['string', 'string', 'int'], ([r, s, n]) => stringSlice(compile(str(r)).split(str(s), Number(sn(n))))),
    ],
    ['regexQuoteMeta', s1(quoteMeta)],
  ];
}
