/**
 * Sprig's `snakecase`, `kebabcase` and `camelcase` (huandu/xstrings'
 * ToSnakeCase, ToKebabCase and ToPascalCase): words are split at case
 * changes, connectors (`-`, `_`, spaces), punctuation and digit runs with
 * xstrings' exact rules, e.g. `HTTPServer` → `http_server`, `http2xx` →
 * `http_2xx`, `some_words` → `SomeWords`.
 */
import { isLetter, isNumber, isPunct, isSpace, isUpper, runes, toLower, toUpper } from './unicode.ts';

type WordType = 'invalid' | 'number' | 'upper' | 'alphabet' | 'connector' | 'punct' | 'other';

interface Word {
  type: WordType;
  text: string;
}

const isConnector = (ch: string): boolean => ch === '-' || ch === '_' || isSpace(ch);

/** A letter that is not a CJK ideograph. */
function isAlphabet(ch: string): boolean {
  if (!isLetter(ch)) return false;
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x3400) return true;
  const cjk = (cp >= 0x4e00 && cp <= 0x9fcc) || (cp >= 0x3400 && cp <= 0x4d85) || (cp >= 0x20000 && cp <= 0x2b81d);
  return !cjk;
}

function runWhile(chars: readonly string[], from: number, pred: (ch: string) => boolean): number {
  let end = from;
  while (end < chars.length && pred(chars[end] ?? '')) end++;
  return end;
}

function upperWordEnd(chars: readonly string[], start: number): number {
  const second = chars[start + 1];
  if (second === undefined) return start + 1;
  if (isUpper(second)) {
    const end = runWhile(chars, start + 2, isUpper);
    return end < chars.length && isAlphabet(chars[end] ?? '') ? end - 1 : end;
  }
  if (isAlphabet(second)) return runWhile(chars, start + 2, (c) => isAlphabet(c) && !isUpper(c));
  return start + 1;
}

/** The word starting at `start` and where it ends. */
function wordAt(chars: readonly string[], start: number): { type: WordType; end: number } {
  const ch = chars[start] ?? '';
  if (isConnector(ch)) return { type: 'connector', end: runWhile(chars, start + 1, isConnector) };
  if (isPunct(ch)) return { type: 'punct', end: runWhile(chars, start + 1, isPunct) };
  if (isUpper(ch)) return { type: 'upper', end: upperWordEnd(chars, start) };
  if (isAlphabet(ch)) return { type: 'alphabet', end: runWhile(chars, start + 1, (c) => isAlphabet(c) && !isUpper(c)) };
  if (isNumber(ch)) return { type: 'number', end: runWhile(chars, start + 1, isNumber) };
  const other = (c: string): boolean => !(isConnector(c) || isAlphabet(c) || isNumber(c) || isPunct(c));
  return { type: 'other', end: runWhile(chars, start + 1, other) };
}

/** Splits `s` into xstrings words. */
function splitWords(s: string): Word[] {
  const chars = runes(s);
  const words: Word[] = [];
  for (let i = 0; i < chars.length;) {
    const { type, end } = wordAt(chars, i);
    words.push({ type, text: chars.slice(i, end).join('') });
    i = end;
  }
  return words;
}

/** Writes snake/kebab output for the xstrings algorithm. */
class LowerWriter {
  private out = '';
  private readonly connector: string;
  private readonly words: Word[];
  private i = 0;

  constructor(s: string, connector: string) {
    this.connector = connector;
    this.words = splitWords(s);
  }

  private get current(): Word {
    return this.words[this.i] ?? { type: 'invalid', text: '' };
  }

  /** The current word's type (a method, so TypeScript does not narrow it across `i++`). */
  private type(): WordType {
    return this.current.type;
  }

  private get hasRemaining(): boolean {
    return this.i < this.words.length - 1;
  }

  private write(word: Word): void {
    if (word.type !== 'upper' && word.type !== 'connector') {
      this.out += word.text;
      return;
    }
    for (const ch of word.text) this.out += isConnector(ch) ? this.connector : isUpper(ch) ? toLower(ch) : ch;
  }

  private joinable(type: WordType, allowInvalid: boolean): boolean {
    return (allowInvalid || type !== 'invalid') && type !== 'punct' && type !== 'connector';
  }

  private writeAlnumRun(): void {
    while (this.type() === 'alphabet' || this.type() === 'number') {
      this.write(this.current);
      this.i++;
    }
  }

  private afterWord(): void {
    if (this.type() !== 'number') {
      if (this.joinable(this.type(), true)) this.out += this.connector;
      return;
    }
    if (!this.hasRemaining) return;
    const numberWord = this.current;
    this.i++;
    if (this.type() !== 'alphabet') {
      this.write({ type: 'number', text: numberWord.text });
      if (this.joinable(this.type(), true)) this.out += this.connector;
      return;
    }
    this.out += this.connector;
    this.write({ type: 'number', text: numberWord.text });
    this.writeAlnumRun();
    if (this.joinable(this.type(), false)) this.out += this.connector;
  }

  run(): string {
    if (this.words.length === 0) return '';
    while (this.hasRemaining) {
      const prev = this.current;
      if (prev.type !== 'connector') this.write(prev);
      this.i++;
      if (prev.type === 'number') {
        this.writeAlnumRun();
        if (this.joinable(this.type(), false)) this.out += this.connector;
      } else if (prev.type === 'connector') {
        this.write(prev);
      } else if (prev.type !== 'punct') {
        this.afterWord();
      }
    }
    this.write(this.current);
    return this.out;
  }
}

/** xstrings.ToSnakeCase. */
export function toSnakeCase(s: string): string {
  return new LowerWriter(s, '_').run();
}

/** xstrings.ToKebabCase. */
export function toKebabCase(s: string): string {
  return new LowerWriter(s, '-').run();
}

/** xstrings.ToPascalCase (sprig's `camelcase`). */
export function toPascalCase(s: string): string {
  const chars = runes(s);
  if (chars.length === 0) return '';
  // Leading connectors are kept; the first other rune is upper-cased.
  let i = chars.findIndex((ch) => !isConnector(ch));
  if (i < 0) return s + (chars.at(-1) ?? '');
  let out = chars.slice(0, i).join('');
  let r0 = toUpper(chars[i] ?? '');
  let firstUpper = isUpper(chars[i] ?? '');
  i++;
  for (; i < chars.length; i++) {
    const r1 = r0;
    r0 = chars[i] ?? '';
    if (isConnector(r1)) {
      // A connector run keeps all but its last rune, which is dropped before an upper-cased letter.
      if (isConnector(r0)) out += r1;
      else {
        firstUpper = isUpper(r0);
        r0 = toUpper(r0);
      }
      continue;
    }
    // Inside a word that started upper-case, following upper-case runes are lowered.
    if (firstUpper && isUpper(r0)) r0 = toLower(r0);
    else firstUpper = false;
    out += r1;
  }
  return out + r0;
}
