/**
 * The lexer of Go's text/template: splits a template into text, `{{ … }}`
 * actions and the tokens inside them, honouring trim markers (`{{- ` and
 * ` -}}`) and comments. Only the default delimiters exist here.
 */
import { quoteString } from './quote.ts';

/** Token types, named after Go's lexer items. */
export type ItemType =
  | 'error' | 'bool' | 'char' | 'charConstant' | 'complex' | 'assign' | 'declare' | 'eof'
  | 'field' | 'identifier' | 'leftDelim' | 'leftParen' | 'number' | 'pipe' | 'rawString'
  | 'rightDelim' | 'rightParen' | 'space' | 'string' | 'text' | 'variable'
  | 'block' | 'break' | 'continue' | 'dot' | 'define' | 'else' | 'end' | 'if' | 'nil'
  | 'range' | 'template' | 'with';

/** One token: its type, start offset (UTF-16) in the source, text and line. */
export interface Item {
  type: ItemType;
  pos: number;
  val: string;
  line: number;
}

const KEYWORDS: ReadonlyMap<string, ItemType> = new Map<string, ItemType>([
  ['.', 'dot'], ['block', 'block'], ['break', 'break'], ['continue', 'continue'], ['define', 'define'],
  ['else', 'else'], ['end', 'end'], ['if', 'if'], ['range', 'range'], ['nil', 'nil'],
  ['template', 'template'], ['with', 'with'],
]);

/** Keyword items (Go prints them as `<name>` in messages). */
export const KEYWORD_TYPES: ReadonlySet<ItemType> = new Set(KEYWORDS.values());

const LEFT_DELIM = '{{';
const RIGHT_DELIM = '}}';
const SPACE_CHARS = ' \t\r\n';
const ALNUM = /^[_\p{L}\p{Nd}]$/u;

function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && ch !== '' && SPACE_CHARS.includes(ch);
}

function isAlphaNumeric(ch: string | undefined): boolean {
  return ch !== undefined && ALNUM.test(ch);
}

function hasLeftTrimMarker(s: string, at: number): boolean {
  return s[at] === '-' && isSpace(s[at + 1]);
}

function hasRightTrimMarker(s: string, at: number): boolean {
  return isSpace(s[at]) && s[at + 1] === '-';
}

function countNewlines(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === '\n') n++;
  return n;
}

/** Scans a template into items; the last item is `eof` or an `error` item. */
class Lexer {
  private readonly input: string;
  private pos = 0;
  private start = 0;
  private line = 1;
  private startLine = 1;
  private parenDepth = 0;
  private insideAction = false;
  readonly items: Item[] = [];

  constructor(input: string) {
    this.input = input;
  }

  run(): Item[] {
    for (;;) {
      const last = this.items.at(-1);
      if (last !== undefined && (last.type === 'eof' || last.type === 'error')) return this.items;
      if (this.insideAction) this.lexInsideAction();
      else this.lexText();
    }
  }

  // -- helpers --------------------------------------------------------------------

  private peekChar(): string | undefined {
    const cp = this.input.codePointAt(this.pos);
    return cp === undefined ? undefined : String.fromCodePoint(cp);
  }

  private nextChar(): string | undefined {
    const ch = this.peekChar();
    if (ch === undefined) return undefined;
    this.pos += ch.length;
    if (ch === '\n') this.line++;
    return ch;
  }

  private accept(valid: string): boolean {
    const ch = this.peekChar();
    if (ch !== undefined && valid.includes(ch)) {
      this.nextChar();
      return true;
    }
    return false;
  }

  private acceptRun(valid: string): void {
    while (this.accept(valid)) { /* consume */ }
  }

  private emit(type: ItemType): void {
    this.items.push({ type, pos: this.start, val: this.input.slice(this.start, this.pos), line: this.startLine });
    this.start = this.pos;
    this.startLine = this.line;
  }

  private ignore(): void {
    this.line += countNewlines(this.input.slice(this.start, this.pos));
    this.start = this.pos;
    this.startLine = this.line;
  }

  private errorf(message: string): void {
    this.items.push({ type: 'error', pos: this.start, val: message, line: this.startLine });
  }

  private atRightDelim(): { delim: boolean; trim: boolean } {
    if (hasRightTrimMarker(this.input, this.pos) && this.input.startsWith(RIGHT_DELIM, this.pos + 2)) {
      return { delim: true, trim: true };
    }
    return { delim: this.input.startsWith(RIGHT_DELIM, this.pos), trim: false };
  }

  private atTerminator(): boolean {
    const ch = this.peekChar();
    if (ch === undefined || isSpace(ch)) return true;
    if ('.,|:)('.includes(ch)) return true;
    return this.input.startsWith(RIGHT_DELIM, this.pos);
  }

  // -- text and delimiters ----------------------------------------------------------

  private lexText(): void {
    const x = this.input.indexOf(LEFT_DELIM, this.pos);
    if (x < 0) {
      this.pos = this.input.length;
      if (this.pos > this.start) {
        this.line += countNewlines(this.input.slice(this.start, this.pos));
        this.emit('text');
      }
      this.emit('eof');
      return;
    }
    if (x > this.pos) {
      let end = x;
      if (hasLeftTrimMarker(this.input, x + LEFT_DELIM.length)) {
        while (end > this.start && isSpace(this.input[end - 1])) end--;
      }
      this.pos = end;
      this.line += countNewlines(this.input.slice(this.start, end));
      if (end > this.start) this.emit('text');
      this.pos = x;
      this.ignore();
    }
    this.lexLeftDelim();
  }

  private lexLeftDelim(): void {
    this.pos += LEFT_DELIM.length;
    const trim = hasLeftTrimMarker(this.input, this.pos);
    const afterMarker = trim ? 2 : 0;
    if (this.input.startsWith('/*', this.pos + afterMarker)) {
      this.pos += afterMarker;
      this.ignore();
      this.lexComment();
      return;
    }
    this.emit('leftDelim');
    this.insideAction = true;
    this.pos += afterMarker;
    this.ignore();
    this.parenDepth = 0;
  }

  private lexComment(): void {
    this.pos += 2;
    const x = this.input.indexOf('*/', this.pos);
    if (x < 0) {
      this.errorf('unclosed comment');
      return;
    }
    this.pos = x + 2;
    const { delim, trim } = this.atRightDelim();
    if (!delim) {
      this.errorf('comment ends before closing delimiter');
      return;
    }
    if (trim) this.pos += 2;
    this.pos += RIGHT_DELIM.length;
    if (trim) this.skipSpaces();
    this.ignore();
  }

  private skipSpaces(): void {
    while (isSpace(this.input[this.pos])) this.pos++;
  }

  private lexRightDelim(trim: boolean): void {
    if (trim) {
      this.pos += 2;
      this.ignore();
    }
    this.pos += RIGHT_DELIM.length;
    this.emit('rightDelim');
    if (trim) {
      this.skipSpaces();
      this.ignore();
    }
    this.insideAction = false;
  }

  // -- inside actions ------------------------------------------------------------

  private lexInsideAction(): void {
    const { delim, trim } = this.atRightDelim();
    if (delim) {
      if (this.parenDepth === 0) this.lexRightDelim(trim);
      else this.errorf('unclosed left paren');
      return;
    }
    const ch = this.nextChar();
    if (ch === undefined) {
      this.errorf('unclosed action');
      return;
    }
    this.lexActionChar(ch);
  }

  private lexActionChar(ch: string): void {
    const simple: Record<string, ItemType> = { '=': 'assign', '|': 'pipe' };
    const simpleType = simple[ch];
    const handlers: Record<string, () => void> = {
      ':': () => { if (this.nextChar() === '=') this.emit('declare'); else this.errorf('expected :='); },
      '"': () => { this.lexQuote(); },
      '`': () => { this.lexRawQuote(); },
      '$': () => { this.lexVariable(); },
      '\'': () => { this.lexChar(); },
      '(': () => { this.parenDepth++; this.emit('leftParen'); },
      ')': () => { this.lexRightParen(); },
    };
    const handler = handlers[ch];
    if (simpleType !== undefined) this.emit(simpleType);
    else if (isSpace(ch)) this.lexSpace(ch);
    else if (handler !== undefined) handler();
    else this.lexOther(ch);
  }

  /** Whether `ch` (already consumed) starts a field: a `.` not followed by a digit. */
  private startsField(ch: string): boolean {
    if (ch !== '.' || this.pos >= this.input.length) return false;
    const next = this.input[this.pos] ?? '';
    return next < '0' || next > '9';
  }

  private lexOther(ch: string): void {
    const startsNumber = '.+-0123456789'.includes(ch);
    const cp = ch.codePointAt(0) ?? 0;
    if (this.startsField(ch)) {
      this.lexFieldOrVariable('field');
    } else if (startsNumber || isAlphaNumeric(ch)) {
      this.backup(ch);
      if (startsNumber) this.lexNumber();
      else this.lexIdentifier();
    } else if (cp < 0x80 && cp >= 0x20 && cp !== 0x7f) {
      this.emit('char');
    } else {
      this.errorf(`unrecognized character in action: ${unicodeName(cp)}`);
    }
  }

  private lexRightParen(): void {
    this.parenDepth--;
    if (this.parenDepth < 0) this.errorf('unexpected right paren');
    else this.emit('rightParen');
  }

  private backup(ch: string): void {
    this.pos -= ch.length;
    if (ch === '\n') this.line--;
  }

  private lexSpace(ch: string): void {
    this.backup(ch);
    let numSpaces = 0;
    while (isSpace(this.input[this.pos])) {
      this.nextChar();
      numSpaces++;
    }
    if (hasRightTrimMarker(this.input, this.pos - 1) && this.input.startsWith(RIGHT_DELIM, this.pos + 1)) {
      this.backup(this.input[this.pos - 1] ?? '');
      if (numSpaces === 1) {
        this.lexRightDelim(true);
        return;
      }
    }
    this.emit('space');
  }

  private lexIdentifier(): void {
    while (isAlphaNumeric(this.peekChar())) this.nextChar();
    const word = this.input.slice(this.start, this.pos);
    if (!this.atTerminator()) {
      this.errorf(`bad character ${unicodeName(this.input.codePointAt(this.pos) ?? 0)}`);
      return;
    }
    const keyword = KEYWORDS.get(word);
    if (keyword !== undefined) this.emit(keyword);
    else if (word.startsWith('.')) this.emit('field');
    else if (word === 'true' || word === 'false') this.emit('bool');
    else this.emit('identifier');
  }

  private lexVariable(): void {
    if (this.atTerminator()) {
      this.emit('variable');
      return;
    }
    this.lexFieldOrVariable('variable');
  }

  private lexFieldOrVariable(type: 'field' | 'variable'): void {
    if (this.atTerminator()) {
      this.emit(type === 'variable' ? 'variable' : 'dot');
      return;
    }
    while (isAlphaNumeric(this.peekChar())) this.nextChar();
    if (!this.atTerminator()) {
      this.errorf(`bad character ${unicodeName(this.input.codePointAt(this.pos) ?? 0)}`);
      return;
    }
    this.emit(type);
  }

  private lexChar(): void {
    this.lexQuoted('\'', 'unterminated character constant', 'charConstant');
  }

  private lexQuote(): void {
    this.lexQuoted('"', 'unterminated quoted string', 'string');
  }

  private lexQuoted(quote: string, message: string, type: ItemType): void {
    for (;;) {
      let ch = this.nextChar();
      if (ch === '\\') {
        ch = this.nextChar();
        if (ch !== undefined && ch !== '\n') continue;
      }
      if (ch === undefined || ch === '\n') {
        this.errorf(message);
        return;
      }
      if (ch === quote) break;
    }
    this.emit(type);
  }

  private lexRawQuote(): void {
    const end = this.input.indexOf('`', this.pos);
    if (end < 0) {
      this.errorf('unterminated raw quoted string');
      return;
    }
    this.line += countNewlines(this.input.slice(this.pos, end + 1));
    this.pos = end + 1;
    this.emit('rawString');
  }

  private lexNumber(): void {
    if (!this.scanNumber()) {
      this.errorf(`bad number syntax: ${quoteString(this.input.slice(this.start, this.pos))}`);
      return;
    }
    const sign = this.peekChar();
    if (sign === '+' || sign === '-') {
      if (!this.scanNumber() || this.input[this.pos - 1] !== 'i') {
        this.errorf(`bad number syntax: ${quoteString(this.input.slice(this.start, this.pos))}`);
        return;
      }
      this.emit('complex');
      return;
    }
    this.emit('number');
  }

  private scanNumber(): boolean {
    this.accept('+-');
    let digits = '0123456789_';
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    if (digits.length === 23 && this.accept('pP')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    this.accept('i');
    if (isAlphaNumeric(this.peekChar())) {
      this.nextChar();
      return false;
    }
    return true;
  }
}

/** Go's `%#U` rendering of a code point, e.g. `U+0021 '!'`. */
export function unicodeName(cp: number): string {
  const hex = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
  const printable = cp >= 0x20 && /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(String.fromCodePoint(cp));
  return printable ? `${hex} '${String.fromCodePoint(cp)}'` : hex;
}

/** Splits `input` into items; the last item is `eof` or the first lexical `error`. */
export function lex(input: string): Item[] {
  return new Lexer(input).run();
}
