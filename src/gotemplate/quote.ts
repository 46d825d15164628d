/**
 * Go's strconv quoting (`%q`, sprig's `quote`) and unquoting (template
 * string and character literals).
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(ch: string): boolean {
  return ch === ' ' || PRINTABLE.test(ch);
}

const SHORT_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

function hex(cp: number, width: number): string {
  return cp.toString(16).padStart(width, '0');
}

function isSurrogate(cp: number): boolean {
  return cp >= 0xd800 && cp < 0xe000;
}

function escapeUnprintable(ch: string, cp: number): string {
  const short = SHORT_ESCAPES[ch];
  if (short !== undefined) return short;
  if (cp < 0x20 || cp === 0x7f) return '\\x' + hex(cp, 2);
  if (isSurrogate(cp)) return '\\ufffd';
  return cp < 0x10000 ? '\\u' + hex(cp, 4) : '\\U' + hex(cp, 8);
}

function escapeRune(ch: string, quote: string, asciiOnly: boolean): string {
  if (ch === quote || ch === '\\') return '\\' + ch;
  const cp = ch.codePointAt(0) ?? 0;
  const printable = isPrint(ch) && (!asciiOnly || cp < 0x80);
  return printable ? ch : escapeUnprintable(ch, cp);
}

/** Go's strconv.Quote (or QuoteToASCII when `asciiOnly`). */
export function quoteString(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch, '"', asciiOnly);
  return out + '"';
}

/** Go's strconv.QuoteRune (or QuoteRuneToASCII). */
export function quoteRune(cp: number, asciiOnly = false): string {
  const valid = cp >= 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp < 0xe000);
  return `'${escapeRune(String.fromCodePoint(valid ? cp : 0xfffd), "'", asciiOnly)}'`;
}

/** Go's strconv.CanBackquote: a single line without control characters other than tab. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '`' || ch === '\ufeff' || (cp < 0x20 && ch !== '\t') || cp === 0x7f) return false;
  }
  return true;
}

const SIMPLE_UNESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

/** A failed unquote, reported by the parser as Go's `invalid syntax`. */
export class UnquoteError extends Error {}

function readHex(body: string, i: number, n: number): number {
  const digits = body.slice(i, i + n);
  if (digits.length !== n || !/^[0-9a-fA-F]+$/.test(digits)) throw new UnquoteError('invalid syntax');
  return parseInt(digits, 16);
}

/** One escape sequence: the bytes it stands for (Go strings are bytes) and where it ends. */
interface Unescaped {
  bytes: number[];
  next: number;
}

const ENCODER = new TextEncoder();

function codePointBytes(cp: number): number[] {
  return [...ENCODER.encode(String.fromCodePoint(cp))];
}

function unescapeNumeric(body: string, i: number, c: string): Unescaped {
  const widths: Record<string, number> = { x: 2, u: 4, U: 8 };
  const width = widths[c];
  if (width !== undefined) {
    const cp = readHex(body, i + 1, width);
    if (c === 'x') return { bytes: [cp], next: i + 1 + width };
    if (cp > 0x10ffff || isSurrogate(cp)) throw new UnquoteError('invalid syntax');
    return { bytes: codePointBytes(cp), next: i + 1 + width };
  }
  const digits = body.slice(i, i + 3);
  const value = parseInt(digits, 8);
  if (!/^[0-7]{3}$/.test(digits) || value > 255) throw new UnquoteError('invalid syntax');
  return { bytes: [value], next: i + 3 };
}

/** The escape after a backslash at `body[i]`, as Go's strconv.UnquoteChar reads it. */
function unescapeAt(body: string, i: number, quote: string): Unescaped {
  const c = body[i] ?? '';
  const simple = SIMPLE_UNESCAPES[c] ?? (c === quote ? c : undefined);
  if (simple !== undefined) return { bytes: [simple.charCodeAt(0)], next: i + 1 };
  if ('xuU01234567'.includes(c) && c !== '') return unescapeNumeric(body, i, c);
  throw new UnquoteError('invalid syntax');
}

/**
 * Go's strconv.Unquote for `"…"` and `` `…` `` literals. Escapes such as
 * `\xc3\xa9` stand for bytes, as in Go; the result is those bytes read as
 * UTF-8 (invalid sequences become U+FFFD, as Go shows them when printed).
 */
export function unquoteString(literal: string): string {
  if (literal.startsWith('`')) {
    if (!literal.endsWith('`') || literal.length < 2) throw new UnquoteError('invalid syntax');
    return literal.slice(1, -1).replaceAll('\r', '');
  }
  if (literal.length < 2 || !literal.startsWith('"') || !literal.endsWith('"'))
    throw new UnquoteError('invalid syntax');
  const body = literal.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < body.length;) {
    const cp = body.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    if (ch === '"' || ch === '\n') throw new UnquoteError('invalid syntax');
    if (ch !== '\\') {
      bytes.push(...ENCODER.encode(ch));
      i += ch.length;
      continue;
    }
    const escaped = unescapeAt(body, i + 1, '"');
    bytes.push(...escaped.bytes);
    i = escaped.next;
  }
  return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
}

/** The code point of a Go character literal such as `'a'` or `'\n'`. */
export function unquoteChar(literal: string): number {
  const body = literal.slice(1, -1);
  if (body.startsWith('\\')) {
    const c = body[1] ?? '';
    const { bytes, next } = unescapeAt(body, 1, "'");
    if (next !== body.length) throw new UnquoteError(`malformed character constant: ${literal}`);
    if (c === 'u' || c === 'U') return new TextDecoder().decode(Uint8Array.from(bytes)).codePointAt(0) ?? 0;
    return bytes[0] ?? 0;
  }
  const chars = Array.from(body);
  if (chars.length !== 1 || chars[0] === "'") throw new UnquoteError(`malformed character constant: ${literal}`);
  return chars[0]?.codePointAt(0) ?? 0;
}
