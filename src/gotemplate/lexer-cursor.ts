/**
 * The character cursor of the Go-template lexer: reading code points while
 * counting lines, accepting runs of characters, emitting the text between
 * the last item and the cursor as an item (or an `error` item), and
 * recognising the right delimiter with its trim marker, which ends both a
 * comment and an action. The text lexer (lexer.ts) and the action lexer
 * (lexer-action.ts) build on it.
 */
import type { Item, ItemType } from './tokens.ts';

export const RIGHT_DELIM = '}}';
const SPACE_CHARS = ' \t\r\n';

/** Space as the template syntax knows it (Go's isSpace): no other Unicode spaces. */
export function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && ch !== '' && SPACE_CHARS.includes(ch);
}

/** Whether a right trim marker (` -` before `}}`) starts at `at`. */
export function hasRightTrimMarker(s: string, at: number): boolean {
  return isSpace(s[at]) && s[at + 1] === '-';
}

export function countNewlines(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === '\n') n++;
  return n;
}

/** A position in a template's text and the items scanned before it. */
export class LexerCursor {
  protected readonly input: string;
  /** Where the next character is read. */
  protected pos = 0;
  /** Where the item being scanned starts. */
  protected start = 0;
  protected line = 1;
  /** The line the item being scanned starts on. */
  protected startLine = 1;
  readonly items: Item[] = [];

  constructor(input: string) {
    this.input = input;
  }

  protected peekChar(): string | undefined {
    const cp = this.input.codePointAt(this.pos);
    return cp === undefined ? undefined : String.fromCodePoint(cp);
  }

  protected nextChar(): string | undefined {
    const ch = this.peekChar();
    if (ch === undefined) return undefined;
    this.pos += ch.length;
    if (ch === '\n') this.line++;
    return ch;
  }

  protected accept(valid: string): boolean {
    const ch = this.peekChar();
    if (ch !== undefined && valid.includes(ch)) {
      this.nextChar();
      return true;
    }
    return false;
  }

  protected acceptRun(valid: string): void {
    while (this.accept(valid)) {
      /* consume */
    }
  }

  protected emit(type: ItemType): void {
    this.items.push({ type, pos: this.start, val: this.input.slice(this.start, this.pos), line: this.startLine });
    this.start = this.pos;
    this.startLine = this.line;
  }

  protected ignore(): void {
    this.line += countNewlines(this.input.slice(this.start, this.pos));
    this.start = this.pos;
    this.startLine = this.line;
  }

  protected errorf(message: string): void {
    this.items.push({ type: 'error', pos: this.start, val: message, line: this.startLine });
  }

  protected atRightDelim(): { delim: boolean; trim: boolean } {
    if (hasRightTrimMarker(this.input, this.pos) && this.input.startsWith(RIGHT_DELIM, this.pos + 2)) {
      return { delim: true, trim: true };
    }
    return { delim: this.input.startsWith(RIGHT_DELIM, this.pos), trim: false };
  }

  /** Steps back over `ch`, the character just read. */
  protected backup(ch: string): void {
    this.pos -= ch.length;
    if (ch === '\n') this.line--;
  }

  protected skipSpaces(): void {
    while (isSpace(this.input[this.pos])) this.pos++;
  }
}
