/**
 * Go's regexp operations (package regexp's Find, Match, ReplaceAll, Split,
 * Expand, QuoteMeta) on a RegExp made by compileGoRegexp (go-regexp.ts), with Go's
 * rules where JavaScript's differ: `…All` skips an empty match right after a
 * previous match, matches never start inside a surrogate pair, and
 * replacement templates use `$1`, `${1}`, `$name`, `${name}` and `$$`.
 *
 * Pure: the helpers reset each RegExp's `lastIndex` before use.
 */
import { goPatternOf } from './go-regexp.ts';

/** The first participating capture group with Go name `name` (Go's Expand rule). */
function groupByName(match: RegExpExecArray, name: string): string | undefined {
  for (const [key, value] of Object.entries(match.groups ?? {})) {
    if (value !== undefined && key.slice(key.indexOf('_') + 1) === name) return value;
  }
  return undefined;
}

/** Go's template name syntax after `$`: `name` or `{name}`; undefined when malformed. */
function extractName(template: string): { name: string; rest: string } | undefined {
  const braced = template.startsWith('{');
  const body = braced ? template.slice(1) : template;
  const m = /^[\p{L}\p{Nd}_]+/u.exec(body);
  if (m === null) return undefined;
  const name = m[0];
  if (braced && body[name.length] !== '}') return undefined;
  return { name, rest: body.slice(name.length + (braced ? 1 : 0)) };
}

/** The group number Go reads from a name: all digits, no leading zero, below 1e8. */
function groupNumber(name: string): number | undefined {
  if (!/^\d+$/.test(name) || (name.length > 1 && name.startsWith('0')) || name.length > 8) return undefined;
  return Number(name);
}

/**
 * Go's Regexp.Expand: `template` with `$1`, `${1}`, `$name`, `${name}`
 * replaced by the corresponding group of `match` (empty when the group
 * does not exist or did not participate) and `$$` by `$`. A name is the
 * longest run of letters, digits and `_`, so `$1x` means the group named
 * `1x`; use `${1}x` for group 1 followed by `x`.
 */
export function expandGoReplacement(template: string, match: RegExpExecArray): string {
  let out = '';
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) return out + rest;
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const extracted = extractName(rest);
    if (extracted === undefined) {
      out += '$';
      continue;
    }
    rest = extracted.rest;
    const num = groupNumber(extracted.name);
    out += (num !== undefined ? match[num] : groupByName(match, extracted.name)) ?? '';
  }
}

/** Whether `i` falls between the two halves of a surrogate pair (not a position Go can match at). */
function insidePair(s: string, i: number): boolean {
  const before = s.charCodeAt(i - 1);
  const after = s.charCodeAt(i);
  return before >= 0xd800 && before < 0xdc00 && after >= 0xdc00 && after < 0xe000;
}

/**
 * Executes `re` at or after `pos` (UTF-16 offset), seeing the whole input
 * (for `^`, `\b`, lookbehind). V8 may report a match that starts inside a
 * surrogate pair; Go works on whole characters, so such matches are skipped.
 */
function execAt(re: RegExp, s: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  let m = re.exec(s);
  while (m !== null && insidePair(s, m.index)) {
    re.lastIndex = m.index + 1;
    m = re.exec(s);
  }
  return m;
}

/** Width of the code point at `pos` (1 at the very end, to step past it). */
function widthAt(s: string, pos: number): number {
  const code = s.codePointAt(pos);
  return code !== undefined && code > 0xffff ? 2 : 1;
}

/**
 * Go's allMatches: successive non-overlapping matches, at most `n` (all when
 * `n` < 0), ignoring an empty match that directly follows a previous match.
 */
export function goFindAll(re: RegExp, s: string, n = -1): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  let pos = 0;
  let prevEnd = -1;
  while ((n < 0 || out.length < n) && pos <= s.length) {
    const m = execAt(re, s, pos);
    if (m === null) break;
    const end = m.index + m[0].length;
    const accept = !(m[0] === '' && m.index === prevEnd);
    pos = end === pos ? pos + widthAt(s, pos) : end;
    prevEnd = end;
    if (accept) out.push(m);
  }
  return out;
}

/** Go's MatchString. */
export function goMatchString(re: RegExp, s: string): boolean {
  return execAt(re, s, 0) !== null;
}

/** Go's FindString: the leftmost match, or "" when there is none. */
export function goFindString(re: RegExp, s: string): string {
  return execAt(re, s, 0)?.[0] ?? '';
}

/**
 * Go's replaceAll: each match is replaced by `replacement(match)`, except an
 * empty match right after a previous match.
 */
export function goReplaceAll(re: RegExp, src: string, replacement: (m: RegExpExecArray) => string): string {
  let out = '';
  let lastEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    const m = execAt(re, src, searchPos);
    if (m === null) break;
    const end = m.index + m[0].length;
    out += src.slice(lastEnd, m.index);
    if (end > lastEnd || m.index === 0) out += replacement(m);
    lastEnd = end;
    const width = widthAt(src, searchPos);
    searchPos = searchPos + width > end ? searchPos + width : end;
  }
  return out + src.slice(lastEnd);
}

/** Go's ReplaceAllString (`$` expansion in `template`). */
export function goReplaceAllString(re: RegExp, src: string, template: string): string {
  return goReplaceAll(re, src, (m) => expandGoReplacement(template, m));
}

/** Go's ReplaceAllLiteralString (no `$` expansion). */
export function goReplaceAllLiteralString(re: RegExp, src: string, replacement: string): string {
  return goReplaceAll(re, src, () => replacement);
}

/** Go's Split: substrings between matches, at most `n` (all when `n` < 0); `n` = 0 gives none. */
export function goSplit(re: RegExp, s: string, n: number): string[] {
  if (n === 0) return [];
  if (goPatternOf(re) !== '' && s === '') return [''];
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of goFindAll(re, s, n)) {
    if (n > 0 && out.length >= n - 1) break;
    end = m.index;
    const matchEnd = m.index + m[0].length;
    if (matchEnd !== 0) out.push(s.slice(beg, end));
    beg = matchEnd;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

/** Go's regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => '\\' + c);
}
