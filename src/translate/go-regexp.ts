/**
 * Go regular expressions (RE2 syntax, package regexp) on top of JavaScript's
 * RegExp. A Go pattern is translated token by token into an equivalent
 * `u`-mode JavaScript pattern, so Go-only syntax works (`(?P<name>…)`,
 * `\z`, `\A`, `\Q…\E`, POSIX classes, `(?i)`/`(?m)`/`(?s)`/`(?U)` anywhere)
 * and Perl-only syntax Go rejects (backreferences, lookaround) is rejected
 * here too. Go's semantics that differ from JavaScript are reproduced:
 * `.` excludes only `\n`, `\s` is ASCII, and `$` without `(?m)` is the end
 * of the text. Go's operations on the result are in go-regexp-ops.ts.
 *
 * Pure: no state outside the RegExp objects.
 */
import { CATEGORIES, complement, MAX_CODE_POINT, PERL_CLASSES, POSIX_CLASSES, type Range, rangesSource, SIMPLE_ESCAPES } from './go-regexp-classes.ts';

/** A pattern Go's regexp package would refuse; the message follows Go's. */
export class GoRegexpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoRegexpError';
  }
}

/** Prefix of the JS names of Go's named groups, `g<index>_<name>` (Go names may start with a digit, and repeat). */
const GROUP_PREFIX = 'g';

const MAX_REPEAT = 1000;

/** Where a compiled RegExp keeps the Go pattern it was made from. */
const GO_PATTERN = Symbol('goPattern');

/** Mode flags of the Go parser (scoped to groups). */
interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

/** A translated atom (something a quantifier may follow) or a plain piece. */
interface Piece {
  source: string;
  repeatable: boolean;
}

/** Translates one Go pattern; `groupNames[i]` is the Go name of capture group i+1. */
class Translator {
  private readonly src: string;
  private i = 0;
  private flags: Flags;
  private readonly globalI: boolean;
  private readonly stack: Flags[] = [];
  private readonly pieces: Piece[] = [];
  private groups = 0;
  /**
   * Source offset of the repetition operator just read, if the previous token
   * was one: Go refuses `a**` but accepts `a*(?i)+` (a flag group in between).
   */
  private lastRepeatAt: number | undefined;

  constructor(src: string, flags: Flags) {
    this.src = src;
    this.flags = flags;
    this.globalI = flags.i;
  }

  translate(): string {
    while (this.i < this.src.length) this.step();
    if (this.stack.length > 0) this.fail('missing closing )', this.src);
    return this.pieces.map((p) => p.source).join('');
  }

  private fail(kind: string, text: string): never {
    throw new GoRegexpError(`error parsing regexp: ${kind}: \`${text}\``);
  }

  private push(source: string, repeatable = true): void {
    this.pieces.push({ source, repeatable });
  }

  /** Wraps an atom so it is matched with the current case sensitivity. */
  private atom(source: string): void {
    if (this.flags.i === this.globalI) this.push(source);
    else this.push(`(?${this.flags.i ? '' : '-'}i:${source})`);
  }

  private step(): void {
    const start = this.i;
    const ch = String.fromCodePoint(this.src.codePointAt(this.i) ?? 0);
    const handlers: Record<string, () => void> = {
      '(': () => { this.openGroup(); },
      ')': () => { this.closeGroup(); },
      '|': () => { this.i++; this.push('|', false); },
      '[': () => { this.charClass(); },
      '\\': () => { this.escape(); },
      '.': () => { this.i++; this.push(this.flags.s ? '[^]' : '[^\\n]'); },
      '^': () => { this.i++; this.push(this.flags.m ? '(?<![^\\n])' : '^'); },
      '$': () => { this.i++; this.push(this.flags.m ? '(?![^\\n])' : '$'); },
    };
    const handler = handlers[ch];
    const isRepeat = ch === '*' || ch === '+' || ch === '?' || (ch === '{' && this.repeatSpec() !== undefined);
    if (handler !== undefined) handler();
    else if (isRepeat) this.quantifier();
    else {
      this.i += ch.length;
      this.literal(ch.codePointAt(0) ?? 0);
    }
    this.lastRepeatAt = isRepeat ? start : undefined;
  }

  private literal(code: number): void {
    const ch = String.fromCodePoint(code);
    this.atom('^$\\.*+?()[]{}|/'.includes(ch) ? '\\' + ch : ch);
  }

  // -- repetition --------------------------------------------------------------------

  /** Parses `{n}`, `{n,}` or `{n,m}` at the cursor; undefined when it is a literal brace. */
  private repeatSpec(): { text: string; min: number; max: number | undefined } | undefined {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
    if (m === null) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? undefined : Number(m[3]);
    return { text: m[0], min, max };
  }

  /** The JS form of `{n}`, `{n,}` or `{n,m}`; fails like Go for counts above 1000 or min > max. */
  private braceOp(spec: { text: string; min: number; max: number | undefined }): string {
    const { min, max } = spec;
    if (min > MAX_REPEAT || (max ?? 0) > MAX_REPEAT || (max !== undefined && max < min)) {
      this.fail('invalid repeat count', spec.text);
    }
    return max === undefined ? `{${min},}` : `{${min},${max}}`;
  }

  private quantifier(): void {
    const start = this.i;
    const spec = this.src[this.i] === '{' ? this.repeatSpec() : undefined;
    this.i += spec?.text.length ?? 1;
    let op = spec === undefined ? this.src[start] ?? '' : this.braceOp(spec);
    const lazy = this.src[this.i] === '?';
    if (lazy) this.i++;
    const last = this.pieces.at(-1);
    if (this.lastRepeatAt !== undefined) {
      this.fail('invalid nested repetition operator', this.src.slice(this.lastRepeatAt, this.i));
    }
    if (last === undefined || !last.repeatable) this.fail('missing argument to repetition operator', this.src.slice(start, this.i));
    if (lazy !== this.flags.U) op += '?';
    last.source = `(?:${last.source})${op}`;
  }

  // -- groups ------------------------------------------------------------------------

  private openGroup(): void {
    const rest = this.src.slice(this.i);
    const named = /^\(\?P?<([^>]*)>/.exec(rest);
    if (named !== null) {
      const name = named[1] ?? '';
      if (!/^[A-Za-z0-9_]+$/.test(name)) this.fail('invalid named capture', named[0]);
      this.i += named[0].length;
      this.groups++;
      this.enterGroup(`(?<${GROUP_PREFIX}${this.groups}_${name}>`);
    } else if (rest.startsWith('(?')) {
      this.flagGroup(rest);
    } else {
      this.i++;
      this.groups++;
      this.enterGroup('(');
    }
  }

  private enterGroup(open: string): void {
    this.stack.push({ ...this.flags });
    this.push(open, false);
  }

  /** Parses `(?flags)` / `(?flags:`; undefined for anything Go does not accept. */
  private flagSyntax(rest: string): RegExpExecArray | undefined {
    const m = /^\(\?([imsU]*)(-([imsU]*))?([:)])/.exec(rest);
    if (m === null || (m[2] !== undefined && m[3] === '')) return undefined;
    return m[1] === '' && m[2] === undefined && m[4] === ')' ? undefined : m;
  }

  private flagGroup(rest: string): void {
    const m = this.flagSyntax(rest);
    if (m === undefined) {
      const end = rest.indexOf(')');
      this.fail('invalid or unsupported Perl syntax', end < 0 ? rest : rest.slice(0, Math.min(end + 1, 3)));
    }
    const flags = { ...this.flags };
    for (const f of m[1] ?? '') flags[f as keyof Flags] = true;
    for (const f of m[3] ?? '') flags[f as keyof Flags] = false;
    this.i += m[0].length;
    if (m[4] === ')') {
      this.flags = flags;
      return;
    }
    this.enterGroup('(?:');
    this.flags = flags;
  }

  private closeGroup(): void {
    const saved = this.stack.pop();
    if (saved === undefined) this.fail('unexpected )', this.src);
    this.i++;
    this.flags = saved;
    const open = this.lastOpenIndex();
    const body = this.pieces.splice(open).map((p) => p.source).join('');
    this.push(body + ')');
  }

  private lastOpenIndex(): number {
    let depth = 0;
    for (let k = this.pieces.length - 1; k >= 0; k--) {
      const src = this.pieces[k]?.source ?? '';
      const isOpen = !(this.pieces[k]?.repeatable ?? true) && (src === '(' || src === '(?:' || src.startsWith('(?<'));
      if (isOpen && depth === 0) return k;
      if (isOpen) depth--;
    }
    return 0;
  }

  // -- escapes -------------------------------------------------------------------------

  private escape(): void {
    const next = this.src[this.i + 1];
    if (next === undefined) this.fail('trailing backslash at end of expression', '');
    const assertions: Record<string, string> = { A: '^', z: '$', b: '\\b', B: '\\B' };
    const assertion = assertions[next];
    const perl = this.perlClass(this.src.slice(this.i, this.i + 2));
    if (assertion !== undefined || perl !== undefined) {
      this.i += 2;
      if (assertion !== undefined) this.push(assertion);
      else if (perl !== undefined) this.atom(perl);
    } else if (next === 'Q') {
      this.quoted();
    } else if (next === 'p' || next === 'P') {
      this.atom(this.unicodeClass());
    } else {
      this.literal(this.escapedCode());
    }
  }

  private quoted(): void {
    const end = this.src.indexOf('\\E', this.i + 2);
    const text = this.src.slice(this.i + 2, end < 0 ? undefined : end);
    this.i = end < 0 ? this.src.length : end + 2;
    for (const ch of text) this.literal(ch.codePointAt(0) ?? 0);
  }

  private perlClass(text: string): string | undefined {
    const ranges = PERL_CLASSES[text.slice(1).toLowerCase()];
    if (ranges === undefined || text.length < 2) return undefined;
    const negated = (text[1] ?? '') !== (text[1] ?? '').toLowerCase();
    return `[${negated ? '^' : ''}${rangesSource(ranges)}]`;
  }

  private unicodeClass(): string {
    const m = /^\\([pP])(\{(\^?)([A-Za-z_]+)\}|([A-Za-z]))/.exec(this.src.slice(this.i));
    if (m === null) this.fail('invalid character class range', this.src.slice(this.i, this.i + 3));
    this.i += m[0].length;
    const name = m[4] ?? m[5] ?? '';
    const negated = (m[1] === 'P') !== (m[3] === '^');
    const property = CATEGORIES.has(name) ? name : `Script=${name}`;
    const source = `\\${negated ? 'P' : 'p'}{${property}}`;
    try {
      new RegExp(source, 'u');
    } catch {
      this.fail('invalid character class range', m[0]);
    }
    return source;
  }

  /** Reads a single-character escape at the cursor and returns its code point. */
  private escapedCode(): number {
    const rest = this.src.slice(this.i);
    const c = rest[1] ?? '';
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) {
      this.i += 2;
      return simple;
    }
    const octal = /^\\(0[0-7]{0,2}|[1-7][0-7]{1,2})/.exec(rest);
    if (octal !== null) {
      this.i += octal[0].length;
      return parseInt(octal[1] ?? '0', 8);
    }
    const hex = /^\\x(\{([0-9A-Fa-f]+)\}|([0-9A-Fa-f]{2}))/.exec(rest);
    if (hex !== null) {
      const value = parseInt(hex[2] ?? hex[3] ?? '0', 16);
      if (value > MAX_CODE_POINT) this.fail('invalid escape sequence', hex[0]);
      this.i += hex[0].length;
      return value;
    }
    const code = c.codePointAt(0) ?? 0;
    if (code < 0x80 && !/[0-9A-Za-z]/.test(c)) {
      this.i += 2;
      return code;
    }
    return this.fail('invalid escape sequence', rest.slice(0, 2));
  }

  // -- character classes -----------------------------------------------------------------

  private charClass(): void {
    const start = this.i;
    this.i++;
    const negated = this.src[this.i] === '^';
    if (negated) this.i++;
    const ranges: Range[] = [];
    const properties: string[] = [];
    let first = true;
    while (this.i < this.src.length && (first || this.src[this.i] !== ']')) {
      first = false;
      this.classItem(ranges, properties);
    }
    if (this.i >= this.src.length) this.fail('missing closing ]', this.src.slice(start));
    this.i++;
    this.atom(`[${negated ? '^' : ''}${rangesSource(ranges)}${properties.join('')}]`);
  }

  private classItem(ranges: Range[], properties: string[]): void {
    const rest = this.src.slice(this.i);
    const posix = /^\[:(\^?)([a-z]+):\]/.exec(rest);
    if (posix !== null) {
      const set = POSIX_CLASSES[posix[2] ?? ''];
      if (set === undefined) this.fail('invalid character class range', posix[0]);
      this.i += posix[0].length;
      ranges.push(...(posix[1] === '^' ? complement(set) : set));
      return;
    }
    if (/^\\[dDsSwW]/.test(rest)) {
      const set = PERL_CLASSES[(rest[1] ?? '').toLowerCase()] ?? [];
      ranges.push(...((rest[1] ?? '') === (rest[1] ?? '').toUpperCase() ? complement(set) : set));
      this.i += 2;
      return;
    }
    if (/^\\[pP]/.test(rest)) {
      properties.push(this.unicodeClass());
      return;
    }
    this.classRange(ranges);
  }

  private classChar(): number {
    if (this.src[this.i] === '\\') return this.escapedCode();
    const code = this.src.codePointAt(this.i) ?? 0;
    this.i += String.fromCodePoint(code).length;
    return code;
  }

  private classRange(ranges: Range[]): void {
    const start = this.i;
    const lo = this.classChar();
    if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.i + 1 < this.src.length) {
      this.i++;
      const hi = this.classChar();
      if (hi < lo) this.fail('invalid character class range', this.src.slice(start, this.i));
      ranges.push([lo, hi]);
      return;
    }
    ranges.push([lo, lo]);
  }
}

/** Reads the leading `(?flags)` of a pattern so that `(?i)` can become the global `i` flag. */
function leadingFlags(pattern: string): Flags {
  const m = /^\(\?([imsU]+)\)/.exec(pattern);
  const flags: Flags = { i: false, m: false, s: false, U: false };
  for (const f of m?.[1] ?? '') flags[f as keyof Flags] = true;
  return flags;
}

/**
 * Compiles a Go (RE2) regular expression into an equivalent JavaScript
 * RegExp with the `g` and `u` flags (plus `i` when the pattern starts with
 * `(?i)`). Named groups are renamed (Go allows names JavaScript does not);
 * use the `go…` helpers of go-regexp-ops.ts rather than
 * `String.prototype.replace`.
 *
 * @throws GoRegexpError for patterns Go refuses (e.g. backreferences,
 * lookaround, `\C`, bad repeat counts).
 */
export function compileGoRegexp(pattern: string): RegExp {
  const flags = leadingFlags(pattern);
  const source = new Translator(pattern, flags).translate();
  try {
    const re = new RegExp(source, flags.i ? 'giu' : 'gu');
    Object.defineProperty(re, GO_PATTERN, { value: pattern, enumerable: false });
    return re;
  } catch (err) {
    throw new GoRegexpError(`error parsing regexp: ${err instanceof Error ? err.message : String(err)}: \`${pattern}\``);
  }
}

/** The Go pattern `re` was compiled from (its JavaScript source for a RegExp made elsewhere). */
export function goPatternOf(re: RegExp): string {
  return (re as { [GO_PATTERN]?: string })[GO_PATTERN] ?? re.source;
}
