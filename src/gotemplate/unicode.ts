/**
 * Go's unicode package predicates and simple (one-to-one) case mappings.
 * JavaScript's toUpperCase/toLowerCase apply full mappings (`ß` → `SS`);
 * Go maps each code point to exactly one code point.
 */

/** The code points of `s` (Go's runes; lone surrogates stay single units). */
export function runes(s: string): string[] {
  return Array.from(s);
}

const UPPER = /^\p{Lu}$/u;
const LOWER = /^\p{Ll}$/u;
const TITLE = /^\p{Lt}$/u;
const LETTER = /^\p{L}$/u;
const NUMBER = /^\p{N}$/u;
const PUNCT = /^\p{P}$/u;
const SPACE = /^[\t\n\v\f\r \u0085\u00a0\p{White_Space}]$/u;

export const isUpper = (ch: string): boolean => UPPER.test(ch);
export const isLower = (ch: string): boolean => LOWER.test(ch);
export const isTitle = (ch: string): boolean => TITLE.test(ch);
export const isLetter = (ch: string): boolean => LETTER.test(ch);
export const isNumber = (ch: string): boolean => NUMBER.test(ch);
export const isPunct = (ch: string): boolean => PUNCT.test(ch);
/** Go's unicode.IsSpace (the White_Space property). */
export const isSpace = (ch: string): boolean => SPACE.test(ch);

/** Go's unicode.ToUpper: the simple uppercase mapping of one code point. */
export function toUpper(ch: string): string {
  const upper = ch.toUpperCase();
  return runes(upper).length === 1 ? upper : ch;
}

/** Go's unicode.ToLower: the simple lowercase mapping of one code point. */
export function toLower(ch: string): string {
  const lower = ch.toLowerCase();
  const chars = runes(lower);
  return chars.length === 1 ? lower : (chars[0] ?? ch);
}

/** Go's unicode.ToTitle (the upper mapping, except for the few titlecase digraphs). */
export function toTitle(ch: string): string {
  const digraphs: Record<string, string> = {
    Ǆ: 'ǅ',
    ǅ: 'ǅ',
    ǆ: 'ǅ',
    Ǉ: 'ǈ',
    ǈ: 'ǈ',
    ǉ: 'ǈ',
    Ǌ: 'ǋ',
    ǋ: 'ǋ',
    ǌ: 'ǋ',
    Ǳ: 'ǲ',
    ǲ: 'ǲ',
    ǳ: 'ǲ',
  };
  return digraphs[ch] ?? toUpper(ch);
}

/** strings.Map with a per-code-point function. */
export function mapRunes(s: string, f: (ch: string) => string): string {
  let out = '';
  for (const ch of s) out += f(ch);
  return out;
}

/** Go's strings.TrimSpace. */
export function trimSpace(s: string): string {
  const chars = runes(s);
  let start = 0;
  let end = chars.length;
  while (start < end && isSpace(chars[start] ?? '')) start++;
  while (end > start && isSpace(chars[end - 1] ?? '')) end--;
  return chars.slice(start, end).join('');
}
