/**
 * The part of Go's fmt package templates reach: `{{ . }}` printing (`%v`),
 * `print`, `println` and the operands of `printf` (sprintf.ts) with the common verbs, flags, widths and
 * precisions, including Go's in-band error strings such as
 * `%!d(string=abc)`, `%!d(MISSING)` and `%!(EXTRA …)`.
 */
import { formatFloat, formatFloatBinary, formatFloatHex } from './float.ts';
import { canBackquote, quoteRune, quoteString } from './quote.ts';
import { GoInt, isGoMap, isStruct, sortedKeys, typeName, utf8Encode } from './values.ts';
import { runes } from './unicode.ts';

/** The flags, width and precision of one verb. */
export interface Spec {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number | undefined;
  prec: number | undefined;
}

export function plainSpec(): Spec {
  return {
    plus: false,
    minus: false,
    sharp: false,
    space: false,
    zero: false,
    plusV: false,
    sharpV: false,
    wid: undefined,
    prec: undefined,
  };
}

function runeCount(s: string): number {
  let n = 0;
  for (const ch of s) n += ch.length > 0 ? 1 : 0;
  return n;
}

function pad(s: string, spec: Spec, zeroOK = true): string {
  if (spec.wid === undefined) return s;
  const n = spec.wid - runeCount(s);
  if (n <= 0) return s;
  if (spec.minus) return s + ' '.repeat(n);
  return (spec.zero && zeroOK ? '0' : ' ').repeat(n) + s;
}

function truncate(s: string, spec: Spec): string {
  if (spec.prec === undefined) return s;
  return runes(s).slice(0, spec.prec).join('');
}

function badVerb(arg: unknown, verb: string, spec: Spec): string {
  if (arg === undefined || arg === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(arg)}=${printArg(arg, 'v', spec, 0)})`;
}

// ---- strings ----------------------------------------------------------------

function hexBytes(s: string, spec: Spec, upper: boolean): string {
  let bytes = utf8Encode(s);
  if (spec.prec !== undefined && spec.prec < bytes.length) bytes = bytes.subarray(0, spec.prec);
  if (bytes.length === 0) return pad('', { ...spec, zero: false });
  const prefix = upper ? '0X' : '0x';
  const parts = [...bytes].map((b) => {
    const h = b.toString(16).padStart(2, '0');
    return upper ? h.toUpperCase() : h;
  });
  let out: string;
  if (spec.space) out = parts.map((p) => (spec.sharp ? prefix + p : p)).join(' ');
  else out = (spec.sharp ? prefix : '') + parts.join('');
  return pad(out, { ...spec, zero: false });
}

function fmtQ(s: string, spec: Spec): string {
  const t = truncate(s, spec);
  if (spec.sharp && canBackquote(t)) return pad('`' + t + '`', spec);
  return pad(quoteString(t, spec.plus), spec);
}

function fmtString(s: string, verb: string, spec: Spec): string {
  switch (verb) {
    case 'v':
      return spec.sharpV ? pad(quoteString(s), spec) : pad(truncate(s, spec), spec);
    case 's':
      return pad(truncate(s, spec), spec);
    case 'x':
      return hexBytes(s, spec, false);
    case 'X':
      return hexBytes(s, spec, true);
    case 'q':
      return fmtQ(s, spec);
    default:
      return badVerb(s, verb, spec);
  }
}

// ---- integers ---------------------------------------------------------------

const BASES: Record<string, number> = { d: 10, v: 10, b: 2, o: 8, O: 8, x: 16, X: 16 };

function integerPrefix(base: number, verb: string, spec: Spec, digits: string): string {
  if (verb === 'O') return '0o';
  if (!spec.sharp) return '';
  if (base === 2) return '0b';
  if (base === 16) return verb === 'X' ? '0X' : '0x';
  return base === 8 && !digits.startsWith('0') ? '0' : '';
}

/** The sign Go writes before a number: `-`, or `+`/space when asked for. */
function signOf(negative: boolean, spec: Spec): string {
  if (negative) return '-';
  return spec.plus ? '+' : spec.space ? ' ' : '';
}

/** How many digits an integer needs: the precision, or the width when zero-padding. */
function minIntegerDigits(negative: boolean, spec: Spec): number {
  if (spec.prec !== undefined) return spec.prec;
  if (!spec.zero || spec.minus || spec.wid === undefined) return 0;
  return spec.wid - (signOf(negative, spec) === '' ? 0 : 1);
}

function fmtIntegerDigits(value: bigint, verb: string, spec: Spec): string {
  const base = BASES[verb] ?? 10;
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  if (spec.prec === 0 && magnitude === 0n) return pad('', { ...spec, zero: false });
  const raw = magnitude.toString(base);
  const digits = (verb === 'X' ? raw.toUpperCase() : raw).padStart(minIntegerDigits(negative, spec), '0');
  return pad(signOf(negative, spec) + integerPrefix(base, verb, spec, digits) + digits, spec, false);
}

function fmtUnicode(value: bigint, spec: Spec): string {
  let hexDigits = BigInt.asUintN(64, value).toString(16).toUpperCase();
  hexDigits = hexDigits.padStart(Math.max(spec.prec ?? 4, 4), '0');
  let out = 'U+' + hexDigits;
  const cp = Number(value);
  if (spec.sharp && value >= 0n && value <= 0x10ffffn && isPrintableRune(cp)) {
    out += ` '${String.fromCodePoint(cp)}'`;
  }
  return pad(out, spec, false);
}

function isPrintableRune(cp: number): boolean {
  return !(cp >= 0xd800 && cp < 0xe000) && /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(String.fromCodePoint(cp));
}

function runeOf(value: bigint): string {
  const valid = value >= 0n && value <= 0x10ffffn && !(value >= 0xd800n && value < 0xe000n);
  return String.fromCodePoint(valid ? Number(value) : 0xfffd);
}

function fmtInteger(n: GoInt, verb: string, spec: Spec): string {
  switch (verb) {
    case 'v':
    case 'd':
    case 'b':
    case 'o':
    case 'O':
    case 'x':
    case 'X':
      return fmtIntegerDigits(n.value, verb, spec);
    case 'c':
      return pad(runeOf(n.value), spec);
    case 'q':
      return pad(quoteRune(Number(n.value), spec.plus), spec);
    case 'U':
      return fmtUnicode(n.value, spec);
    default:
      return badVerb(n, verb, spec);
  }
}

// ---- floats and bools ---------------------------------------------------------

function signAndPad(num: string, spec: Spec): string {
  const body = num.startsWith('-') ? num : (spec.plus ? '+' : spec.space ? ' ' : '') + num;
  if (/Inf|NaN/.test(num)) return pad(body, { ...spec, zero: false });
  if (spec.zero && !spec.minus && spec.wid !== undefined && /^[+\- ]/.test(body)) {
    const n = spec.wid - runeCount(body);
    return n > 0 ? (body[0] ?? '') + '0'.repeat(n) + body.slice(1) : body;
  }
  return pad(body, spec);
}

const FLOAT_VERBS: Record<string, (x: number, prec: number | undefined) => string> = {
  v: (x, p) => formatFloat(x, 'g', p ?? -1),
  g: (x, p) => formatFloat(x, 'g', p ?? -1),
  G: (x, p) => formatFloat(x, 'G', p ?? -1),
  e: (x, p) => formatFloat(x, 'e', p ?? 6),
  E: (x, p) => formatFloat(x, 'E', p ?? 6),
  f: (x, p) => formatFloat(x, 'f', p ?? 6),
  F: (x, p) => formatFloat(x, 'f', p ?? 6),
  b: (x) => formatFloatBinary(x),
  x: (x) => formatFloatHex(x, false),
  X: (x) => formatFloatHex(x, true),
};

function fmtFloatVerb(x: number, verb: string, spec: Spec): string {
  const format = FLOAT_VERBS[verb];
  return format === undefined ? badVerb(x, verb, spec) : signAndPad(format(x, spec.prec), spec);
}

function fmtBool(b: boolean, verb: string, spec: Spec): string {
  return verb === 't' || verb === 'v' ? pad(String(b), spec) : badVerb(b, verb, spec);
}

// ---- composite values ---------------------------------------------------------

function stringerOf(value: object): string | undefined {
  const candidate = value as { Error?: unknown; String?: unknown };
  if (typeof candidate.Error === 'function') return String((candidate.Error as () => unknown).call(value));
  if (typeof candidate.String === 'function') return String((candidate.String as () => unknown).call(value));
  return undefined;
}

function printComposite(value: object, verb: string, spec: Spec, depth: number): string {
  if (Array.isArray(value)) {
    return '[' + value.map((item) => printElement(item, verb, spec, depth + 1)).join(' ') + ']';
  }
  if (isGoMap(value)) {
    const parts = sortedKeys(value).map(
      (k) => `${printElement(k, verb, spec, depth + 1)}:${printElement(value[k], verb, spec, depth + 1)}`,
    );
    return 'map[' + parts.join(' ') + ']';
  }
  const fields = Object.entries(value).filter(([, v]) => typeof v !== 'function');
  return (
    '{' + fields.map(([k, v]) => (spec.plusV ? `${k}:` : '') + printElement(v, verb, spec, depth + 1)).join(' ') + '}'
  );
}

function printElement(value: unknown, verb: string, spec: Spec, depth: number): string {
  return value === null || value === undefined ? '<nil>' : printArg(value, verb, spec, depth);
}

function printScalar(arg: string | number | boolean | GoInt, verb: string, spec: Spec): string {
  if (typeof arg === 'string') return fmtString(arg, verb, spec);
  if (typeof arg === 'number') return fmtFloatVerb(arg, verb, spec);
  if (typeof arg === 'boolean') return fmtBool(arg, verb, spec);
  return fmtInteger(arg, verb, spec);
}

function isScalar(arg: unknown): arg is string | number | boolean | GoInt {
  return typeof arg === 'string' || typeof arg === 'number' || typeof arg === 'boolean' || arg instanceof GoInt;
}

export function printArg(arg: unknown, verb: string, spec: Spec, depth: number): string {
  if (arg === undefined || arg === null) {
    return verb === 'T' || verb === 'v' ? pad('<nil>', spec) : badVerb(arg, verb, spec);
  }
  if (verb === 'T') return pad(typeName(arg), spec);
  if (isScalar(arg)) return printScalar(arg, verb, spec);
  if (typeof arg !== 'object') return badVerb(arg, verb, spec);
  const text = isStruct(arg) && 'vsxXq'.includes(verb) ? stringerOf(arg) : undefined;
  return text === undefined ? printComposite(arg, verb, spec, depth) : fmtString(text, verb, spec);
}

/** Go's `fmt.Sprint(value)`: the `%v` text template actions print. */
export function formatValue(value: unknown): string {
  return printArg(value, 'v', plainSpec(), 0);
}

/** Go's fmt.Sprint: operands separated by a space when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && typeof args[i - 1] !== 'string') out += ' ';
    out += printArg(arg, 'v', plainSpec(), 0);
  });
  return out;
}

/** Go's fmt.Sprintln: operands always separated by spaces, newline appended. */
export function sprintln(args: readonly unknown[]): string {
  return args.map((arg) => printArg(arg, 'v', plainSpec(), 0)).join(' ') + '\n';
}
