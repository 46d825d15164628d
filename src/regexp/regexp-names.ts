/**
 * Go accepts a pattern that gives two groups the same name (`$name` then
 * means the first of them that took part in the match); re2js refuses it.
 * Before compiling, each repeated name is renamed to a fresh one, and the
 * fresh names are mapped back to Go's. Only the lexical structure matters
 * here: escapes, `\Q…\E` and character classes, where `(?P<` is literal
 * text; everything else is left to re2js's parser.
 *
 * Pure.
 */

/** Where a named group's name sits in a pattern. */
interface NamedGroup {
  name: string;
  at: number;
}

/** The pattern with unique group names, and the Go name of each renamed group. */
export interface RenamedGroups {
  pattern: string;
  original: Map<string, string>;
}

/** The end of the character class opened at `start` (after its `]`), or the end of the pattern. */
function classEnd(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  while (i < pattern.length && pattern[i] !== ']') {
    const posixEnd = pattern.startsWith('[:', i) ? pattern.indexOf(':]', i + 2) : -1;
    if (posixEnd >= 0) i = posixEnd + 2;
    else i += pattern[i] === '\\' ? 2 : 1;
  }
  return i + 1;
}

/** The named group opening at `i`, if one does. */
function namedAt(pattern: string, i: number): RegExpExecArray | null {
  const opening = /\(\?P?<([A-Za-z0-9_]+)>/y;
  opening.lastIndex = i;
  return pattern[i] === '(' ? opening.exec(pattern) : null;
}

/** The named groups of `pattern` in order, skipping text that only looks like one. */
function namedGroups(pattern: string): NamedGroup[] {
  const out: NamedGroup[] = [];
  let i = 0;
  while (i < pattern.length) {
    const named = namedAt(pattern, i);
    if (pattern.startsWith('\\Q', i)) {
      const end = pattern.indexOf('\\E', i + 2);
      i = end < 0 ? pattern.length : end + 2;
    } else if (pattern[i] === '\\') i += 2;
    else if (pattern[i] === '[') i = classEnd(pattern, i);
    else if (named !== null) {
      const name = named[1] ?? '';
      out.push({ name, at: i + named[0].length - name.length - 1 });
      i += named[0].length;
    } else i++;
  }
  return out;
}

/** Gives every repeated group name a fresh one (`name_2`, …) that the pattern does not use. */
export function uniqueGroupNames(pattern: string): RenamedGroups {
  const original = new Map<string, string>();
  if (!pattern.includes('<')) return { pattern, original };
  const groups = namedGroups(pattern);
  const taken = new Set(groups.map((g) => g.name));
  const seen = new Set<string>();
  let out = '';
  let copied = 0;
  for (const { name, at } of groups) {
    if (!seen.has(name)) {
      seen.add(name);
      continue;
    }
    let k = 2;
    while (taken.has(`${name}_${k}`)) k++;
    const fresh = `${name}_${k}`;
    taken.add(fresh);
    original.set(fresh, name);
    out += pattern.slice(copied, at) + fresh;
    copied = at + name.length;
  }
  return { pattern: out + pattern.slice(copied), original };
}
