/**
 * The action half of the Go-template lexer: the tokens between `{{` and
 * `}}` (spaces, operators, parentheses, fields, variables, keywords and
 * identifiers, strings, raw strings, character constants and numbers in
 * all of Go's syntaxes) and the closing delimiter with its trim marker,
 * with Go's lexical error messages. lexer.ts scans the text around actions
 * and hands over at each `{{`.
 */
import { LexerCursor, RIGHT_DELIM, countNewlines, hasRightTrimMarker, isSpace } from './lexer-cursor.ts';
import { quoteString } from './quote.ts';
import { KEYWORDS, type ItemType } from './tokens.ts';

const ALNUM = /^[_\p{L}\p{Nd}]$/u;

function isAlphaNumeric(ch: string | undefined): boolean {
  return ch !== undefined && ALNUM.test(ch);
}

/** Scans the inside of actions; the text lexer switches to it at `{{` and back at `}}`. */
export class ActionLexer extends LexerCursor {
  /** Whether the cursor is inside an action (set at `{{` by lexer.ts, cleared here at `}}`). */
  protected insideAction = false;
  /** Open parentheses in the current action (reset at `{{`). */
  protected parenDepth = 0;

  /** Scans the next token of an action, or the `}}` that ends it. */
  protected lexInsideAction(): void {
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

  /** Emits `}}`, dropping a trim marker before it and, with one, the spaces after it. */
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

  private lexActionChar(ch: string): void {
    const simple: Record<string, ItemType> = { '=': 'assign', '|': 'pipe' };
    const simpleType = simple[ch];
    const handlers: Record<string, () => void> = {
      ':': () => {
        if (this.nextChar() === '=') this.emit('declare');
        else this.errorf('expected :=');
      },
      '"': () => {
        this.lexQuote();
      },
      '`': () => {
        this.lexRawQuote();
      },
      $: () => {
        this.lexVariable();
      },
      "'": () => {
        this.lexChar();
      },
      '(': () => {
        this.parenDepth++;
        this.emit('leftParen');
      },
      ')': () => {
        this.lexRightParen();
      },
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
    this.lexQuoted("'", 'unterminated character constant', 'charConstant');
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

  /** Whether a word (keyword, identifier, field, variable) may end at the cursor. */
  private atTerminator(): boolean {
    const ch = this.peekChar();
    if (ch === undefined || isSpace(ch)) return true;
    if ('.,|:)('.includes(ch)) return true;
    return this.input.startsWith(RIGHT_DELIM, this.pos);
  }
}

/** Go's `%#U` rendering of a code point, e.g. `U+0021 '!'`. */
function unicodeName(cp: number): string {
  const hex = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
  const printable = cp >= 0x20 && /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(String.fromCodePoint(cp));
  return printable ? `${hex} '${String.fromCodePoint(cp)}'` : hex;
}
