/**
 * The token cursor of the Go-template parser: reading the lexer's items
 * with one-token backup and lookahead past spaces, and failing with Go's
 * parse messages (`template: inline:LINE:COL: unexpected … in …`, lexer
 * errors with the line their action started on). The pipeline parser
 * (parser-pipeline.ts) and the parser of actions and control structures
 * (parser.ts) build on it so that both report errors the same way.
 */
import { TEMPLATE_NAME, TemplateError, positionOf } from './errors.ts';
import { KEYWORD_TYPES, type Item, type ItemType } from './tokens.ts';
import { UnquoteError, quoteString, unquoteString } from './quote.ts';
import { runes } from './unicode.ts';

function itemString(item: Item): string {
  if (item.type === 'eof') return 'EOF';
  if (item.type === 'error') return item.val;
  if (KEYWORD_TYPES.has(item.type)) return `<${item.val}>`;
  const chars = runes(item.val);
  return chars.length > 10 ? `${quoteString(chars.slice(0, 10).join(''))}...` : quoteString(item.val);
}

/** A position in the items of one template, and Go's parse errors at it. */
export class TokenCursor {
  protected readonly items: Item[];
  protected readonly source: string;
  /** The index of the next item to read. */
  protected i = 0;
  /** The furthest item read so far, whose line Go reports when no token is named. */
  protected lastFetched = 0;
  /** The line of the `{{` being parsed (0 outside actions), for lexer errors inside it. */
  protected actionLine = 0;

  constructor(items: Item[], source: string) {
    this.items = items;
    this.source = source;
  }

  // -- token cursor -----------------------------------------------------------------

  private fetch(index: number): Item {
    const item = this.items[Math.min(index, this.items.length - 1)];
    if (item === undefined) throw new Error('internal error: no tokens');
    this.lastFetched = Math.max(this.lastFetched, Math.min(index, this.items.length - 1));
    return item;
  }

  protected next(): Item {
    const item = this.fetch(this.i);
    this.i++;
    return item;
  }

  protected backup(): void {
    this.i--;
  }

  protected peek(): Item {
    return this.fetch(this.i);
  }

  protected nextNonSpace(): Item {
    let item = this.next();
    while (item.type === 'space') item = this.next();
    return item;
  }

  protected peekNonSpace(): Item {
    const item = this.nextNonSpace();
    this.backup();
    return item;
  }

  // -- errors --------------------------------------------------------------------

  /**
   * Fails with Go's message. The position is that of `at` (the offending
   * token) when known, else of the last token read, whose line Go reports.
   */
  protected errorf(message: string, at: Item = this.fetch(this.lastFetched)): never {
    const { line, column } = positionOf(this.source, at.pos);
    throw new TemplateError('parse', `template: ${TEMPLATE_NAME}:${at.line}:${column}: ${message}`, { line, column });
  }

  protected unexpected(item: Item, context: string): never {
    if (item.type === 'error') {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== item.line) {
        extra = ` in action started at ${TEMPLATE_NAME}:${this.actionLine}`;
        if (item.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${itemString(item)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(item)} in ${context}`, item);
  }

  protected expect(type: ItemType, context: string): Item {
    const item = this.nextNonSpace();
    if (item.type !== type) this.unexpected(item, context);
    return item;
  }

  /** The text of a string token; a bad escape fails at that token, as Go reports it. */
  protected unquote(item: Item): string {
    try {
      return unquoteString(item.val);
    } catch (err) {
      if (err instanceof UnquoteError) this.errorf(err.message, item);
      throw err;
    }
  }
}
