/**
 * Go regular expressions (package regexp) on re2js, a JavaScript port of
 * RE2: Go's syntax, and matching in time linear in the input, so a
 * provider's pattern such as `(a+)+$` cannot stall the event loop on a long
 * consumer value. re2js parses and matches; this module adds what Go's API
 * does on top: the `…All` rules for empty matches, Split, `$1`/`${name}`
 * expansion, QuoteMeta, Go's error text, and duplicate group names (Go
 * accepts them, re2js does not). Positions are UTF-16 offsets throughout.
 *
 * Pure: a Regexp holds its compiled program (and re2js's caches for it).
 */
import { type Matcher, RE2JS, RE2JSException, RE2JSSyntaxException } from 're2js';
import { uniqueGroupNames } from './regexp-names.ts';

/** A pattern Go's regexp package would refuse; the message is Go's. */
export class RegexpSyntaxError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RegexpSyntaxError';
  }
}

/** Errors that Go reports with the whole pattern (re2js leaves the text empty). */
const WHOLE_PATTERN_ERRORS = new Set(['expression nests too deeply', 'expression too large']);

/**
 * Go's `error parsing regexp: kind: \`text\`` for `pattern`, which re2js
 * saw as `compiled` (with renamed groups; where re2js quotes all of it, Go
 * quotes the pattern as written).
 */
function goMessage(err: RE2JSException, pattern: string, compiled: string): string {
  if (!(err instanceof RE2JSSyntaxException)) return err.message;
  const kind = err.getDescription();
  const text = err.getPattern() ?? '';
  const quoted = WHOLE_PATTERN_ERRORS.has(kind) || text === compiled ? pattern : text;
  return `error parsing regexp: ${kind}: \`${quoted}\``;
}

/** Submatch offsets as Go reports them: [start0, end0, start1, end1, …], -1 for a group that did not take part. */
type Submatches = number[];

/** Width in UTF-16 units of the character at `pos`, the step Go takes past an empty match. */
function widthAt(s: string, pos: number): number {
  const code = s.codePointAt(pos);
  return code !== undefined && code > 0xffff ? 2 : 1;
}

/** A compiled Go regular expression with the operations of Go's `*regexp.Regexp` that callers use. */
export class Regexp {
  readonly pattern: string;
  private readonly re: RE2JS;
  /** Go's SubexpNames: the name of each group ('' for unnamed and for the whole match). */
  private readonly names: string[];

  private constructor(pattern: string, re: RE2JS, names: string[]) {
    this.pattern = pattern;
    this.re = re;
    this.names = names;
  }

  /**
   * Go's regexp.Compile.
   * @throws RegexpSyntaxError with Go's message for a pattern Go refuses
   *   (backreferences, lookaround, bad repeat counts, …).
   */
  static compile(pattern: string): Regexp {
    const renamed = uniqueGroupNames(pattern);
    let re: RE2JS;
    try {
      re = RE2JS.compile(renamed.pattern);
    } catch (err) {
      if (!(err instanceof RE2JSException)) throw err;
      throw new RegexpSyntaxError(goMessage(err, pattern, renamed.pattern), { cause: err });
    }
    const names = new Array<string>(re.groupCount() + 1).fill('');
    for (const [name, index] of Object.entries(re.namedGroups())) names[index] = renamed.original.get(name) ?? name;
    return new Regexp(pattern, re, names);
  }

  /** Go's MatchString. */
  matchString(s: string): boolean {
    return this.re.test(s);
  }

  /** Go's FindString: the leftmost match, or "" when there is none. */
  findString(s: string): string {
    const m = this.re.matcher(s);
    return this.re.test(s) && m.find(0) ? s.slice(m.start(), m.end()) : '';
  }

  /** Go's FindAllString: at most `n` successive matches (all when `n` < 0). */
  findAllString(s: string, n: number): string[] {
    return this.allMatches(s, n).map(([start = 0, end = 0]) => s.slice(start, end));
  }

  /** Go's ReplaceAllString: `$1`, `${1}`, `$name`, `${name}` and `$$` in `template` are expanded. */
  replaceAllString(src: string, template: string): string {
    if (!template.includes('$')) return this.replaceAll(src, () => template, 1);
    return this.replaceAll(src, (m) => this.expand(template, src, m), this.names.length);
  }

  /** Go's ReplaceAllLiteralString: `replacement` is inserted as is. */
  replaceAllLiteralString(src: string, replacement: string): string {
    return this.replaceAll(src, () => replacement, 1);
  }

  /** Go's Split: the substrings between matches, at most `n` (all when `n` < 0); `n` = 0 gives none. */
  split(s: string, n: number): string[] {
    if (n === 0) return [];
    if (this.pattern !== '' && s === '') return [''];
    const out: string[] = [];
    let beg = 0;
    let end = 0;
    for (const [start = 0, stop = 0] of this.allMatches(s, n)) {
      if (n > 0 && out.length === n - 1) break;
      end = start;
      if (stop !== 0) out.push(s.slice(beg, end));
      beg = stop;
    }
    if (end !== s.length) out.push(s.slice(beg));
    return out;
  }

  /**
   * The leftmost match starting at or after `pos` (seeing the text before
   * it for `^` and `\b`), with the offsets of its first `groups` groups:
   * asking for more than the whole match costs a second pass. (The
   * callers first ask re2js's DFA whether there is a match at all: the
   * search with positions runs the slower NFA.)
   */
  private matchFrom(matcher: Matcher, pos: number, groups: number): Submatches | undefined {
    if (!matcher.find(pos)) return undefined;
    const out: Submatches = [];
    for (let g = 0; g < groups; g++) out.push(matcher.start(g), matcher.end(g));
    return out;
  }

  /** Go's allMatches: an empty match directly after the previous match is skipped. */
  private allMatches(s: string, n: number): Submatches[] {
    if (!this.re.test(s)) return [];
    const matcher = this.re.matcher(s);
    const out: Submatches[] = [];
    let pos = 0;
    let prevEnd = -1;
    while ((n < 0 || out.length < n) && pos <= s.length) {
      const m = this.matchFrom(matcher, pos, 1);
      if (m === undefined) break;
      const [start = 0, end = 0] = m;
      const accept = !(end === pos && start === prevEnd);
      pos = end === pos ? pos + widthAt(s, pos) : end;
      prevEnd = end;
      if (accept) out.push(m);
    }
    return out;
  }

  /** Go's replaceAll: an empty match directly after the previous match is left alone. */
  private replaceAll(src: string, replacement: (m: Submatches) => string, groups: number): string {
    if (!this.re.test(src)) return src;
    const matcher = this.re.matcher(src);
    let out = '';
    let lastEnd = 0;
    let searchPos = 0;
    while (searchPos <= src.length) {
      const m = this.matchFrom(matcher, searchPos, groups);
      if (m === undefined) break;
      const [start = 0, end = 0] = m;
      out += src.slice(lastEnd, start);
      if (end > lastEnd || start === 0) out += replacement(m);
      lastEnd = end;
      const width = widthAt(src, searchPos);
      searchPos = searchPos + width > end ? searchPos + width : end;
    }
    return out + src.slice(lastEnd);
  }

  /** The text of group `g` of `m`, or undefined when it did not take part (or does not exist). */
  private group(src: string, m: Submatches, g: number): string | undefined {
    const start = m[2 * g] ?? -1;
    return start < 0 ? undefined : src.slice(start, m[2 * g + 1]);
  }

  /**
   * Go's Regexp.Expand: a name is the longest run of letters, digits and
   * `_`, so `$1x` is the group named `1x` (empty); a number is a group
   * index, a name the first group so named that took part; `$$` is `$`; a
   * `$` not followed by a name stays as is.
   */
  private expand(template: string, src: string, m: Submatches): string {
    return template.replace(/\$(?:(\$)|\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/gu, (_all, dollar, braced, bare) => {
      if (typeof dollar === 'string') return '$';
      const name = String(braced ?? bare);
      const index = /^(?:0|[1-9]\d{0,8})$/.test(name) ? Number(name) : undefined;
      if (index !== undefined) return this.group(src, m, index) ?? '';
      for (let g = 1; g < this.names.length; g++) {
        const text = this.names[g] === name ? this.group(src, m, g) : undefined;
        if (text !== undefined) return text;
      }
      return '';
    });
  }
}

/** Go's regexp.QuoteMeta: `s` with every metacharacter escaped. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => '\\' + c);
}
