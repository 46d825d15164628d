/**
 * The tokens of Go's template syntax, as the lexer emits them and the
 * parser reads them: their types (named after Go's lexer items) and the
 * keywords. Kept apart from the lexer so both sides share one vocabulary
 * without the parser depending on how text is scanned.
 */

/** Token types, named after Go's lexer items. */
export type ItemType =
  | 'error'
  | 'bool'
  | 'char'
  | 'charConstant'
  | 'complex'
  | 'assign'
  | 'declare'
  | 'eof'
  | 'field'
  | 'identifier'
  | 'leftDelim'
  | 'leftParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'rightDelim'
  | 'rightParen'
  | 'space'
  | 'string'
  | 'text'
  | 'variable'
  | 'block'
  | 'break'
  | 'continue'
  | 'dot'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'nil'
  | 'range'
  | 'template'
  | 'with';

/** One token: its type, start offset (UTF-16) in the source, text and line. */
export interface Item {
  type: ItemType;
  pos: number;
  val: string;
  line: number;
}

/** Words that lex as their own item type rather than as an identifier. */
export const KEYWORDS: ReadonlyMap<string, ItemType> = new Map<string, ItemType>([
  ['.', 'dot'],
  ['block', 'block'],
  ['break', 'break'],
  ['continue', 'continue'],
  ['define', 'define'],
  ['else', 'else'],
  ['end', 'end'],
  ['if', 'if'],
  ['range', 'range'],
  ['nil', 'nil'],
  ['template', 'template'],
  ['with', 'with'],
]);

/** Keyword items (Go prints them as `<name>` in messages). */
export const KEYWORD_TYPES: ReadonlySet<ItemType> = new Set(KEYWORDS.values());
