/**
 * The lexer of Go's text/template: splits a template into text, `{{ … }}`
 * actions and the tokens inside them, honouring trim markers (`{{- ` and
 * ` -}}`) and comments. Only the default delimiters exist here. This file
 * scans the text between actions, left delimiters and comments; the tokens
 * inside actions are lexer-action.ts's, on the cursor of lexer-cursor.ts.
 */
import { ActionLexer } from './lexer-action.ts';
import { RIGHT_DELIM, countNewlines, isSpace } from './lexer-cursor.ts';
import type { Item } from './tokens.ts';

const LEFT_DELIM = '{{';

/** Whether a left trim marker (`- ` after `{{`) starts at `at`. */
function hasLeftTrimMarker(s: string, at: number): boolean {
  return s[at] === '-' && isSpace(s[at + 1]);
}

/** Scans a template into items; the last item is `eof` or an `error` item. */
class Lexer extends ActionLexer {
  run(): Item[] {
    for (;;) {
      const last = this.items.at(-1);
      if (last !== undefined && (last.type === 'eof' || last.type === 'error')) return this.items;
      if (this.insideAction) this.lexInsideAction();
      else this.lexText();
    }
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
}

/** Splits `input` into items; the last item is `eof` or the first lexical `error`. */
export function lex(input: string): Item[] {
  return new Lexer(input).run();
}
