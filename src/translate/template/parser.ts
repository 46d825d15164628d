/**
 * The parser of Go's text/template: turns lexer items into a parse tree
 * with the same shape, checks and error messages as Go's parse package
 * (functions must exist, variables must be declared, `break`/`continue`
 * only inside `range`, …). `define`, `template` and `block` are supported.
 */
import { TEMPLATE_NAME, TemplateError, positionOf } from './errors.ts';
import { KEYWORD_TYPES, lex, type Item, type ItemType } from './lexer.ts';
import type {
  ArgNode, BranchNode, ChainNode, CommandNode, ElseNode, EndNode, ListNode, Node, NumberNode,
  PipeNode, TemplateNode, VariableNode,
} from './nodes.ts';
import { nodeString } from './nodes.ts';
import { parseNumber } from './numbers.ts';
import { UnquoteError, quoteString, unquoteString } from './quote.ts';
import { runes } from './unicode.ts';

/** A parsed template: the main tree plus the ones `define`/`block` declared, by name. */
export interface ParsedTemplate {
  source: string;
  trees: ReadonlyMap<string, ListNode>;
}

/** Go's limit for nested parentheses on wasm (10000 elsewhere; JavaScript has the smaller stack). */
const MAX_PAREN_DEPTH = 1000;

const OPERAND_START: ReadonlySet<ItemType> = new Set<ItemType>([
  'bool', 'charConstant', 'complex', 'dot', 'field', 'identifier', 'number', 'nil', 'rawString',
  'string', 'variable', 'leftParen',
]);

function itemString(item: Item): string {
  if (item.type === 'eof') return 'EOF';
  if (item.type === 'error') return item.val;
  if (KEYWORD_TYPES.has(item.type)) return `<${item.val}>`;
  const chars = runes(item.val);
  return chars.length > 10 ? `${quoteString(chars.slice(0, 10).join(''))}...` : quoteString(item.val);
}

function isEmptyTree(node: Node): boolean {
  switch (node.type) {
    case 'comment': return true;
    case 'list': return node.nodes.every(isEmptyTree);
    case 'text': return node.text.trim() === '';
    default: return false;
  }
}

/** Parses one template body; `define` bodies get their own instance sharing `trees`. */
class Parser {
  private readonly items: Item[];
  private readonly source: string;
  private readonly isFunction: (name: string) => boolean;
  private readonly trees: Map<string, ListNode>;
  private i = 0;
  private lastFetched = 0;
  private vars: string[] = ['$'];
  private actionLine = 0;
  private rangeDepth = 0;
  private parenDepth = 0;

  constructor(items: Item[], source: string, isFunction: (name: string) => boolean, trees: Map<string, ListNode>) {
    this.items = items;
    this.source = source;
    this.isFunction = isFunction;
    this.trees = trees;
  }

  // -- token cursor -----------------------------------------------------------------

  private fetch(index: number): Item {
    const item = this.items[Math.min(index, this.items.length - 1)];
    if (item === undefined) throw new Error('internal error: no tokens');
    this.lastFetched = Math.max(this.lastFetched, Math.min(index, this.items.length - 1));
    return item;
  }

  private next(): Item {
    const item = this.fetch(this.i);
    this.i++;
    return item;
  }

  private backup(): void {
    this.i--;
  }

  private peek(): Item {
    return this.fetch(this.i);
  }

  private nextNonSpace(): Item {
    let item = this.next();
    while (item.type === 'space') item = this.next();
    return item;
  }

  private peekNonSpace(): Item {
    const item = this.nextNonSpace();
    this.backup();
    return item;
  }

  // -- errors --------------------------------------------------------------------

  /**
   * Fails with Go's message. The position is that of `at` (the offending
   * token) when known, else of the last token read, whose line Go reports.
   */
  errorf(message: string, at: Item = this.fetch(this.lastFetched)): never {
    const { line, column } = positionOf(this.source, at.pos);
    throw new TemplateError('parse', `template: ${TEMPLATE_NAME}:${at.line}:${column}: ${message}`, { line, column });
  }

  private unexpected(item: Item, context: string): never {
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

  private expect(type: ItemType, context: string): Item {
    const item = this.nextNonSpace();
    if (item.type !== type) this.unexpected(item, context);
    return item;
  }

  // -- top level -----------------------------------------------------------------

  parseTop(name: string): void {
    const root = this.newList(this.peek().pos);
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const delimIndex = this.i;
        this.next();
        if (this.nextNonSpace().type === 'define') {
          this.parseDefinition();
          continue;
        }
        this.i = delimIndex;
      }
      const node = this.textOrAction();
      if (node.type === 'end' || node.type === 'else') this.errorf(`unexpected ${nodeString(node)}`);
      root.nodes.push(node);
    }
    this.add(name, root);
  }

  private add(name: string, root: ListNode): void {
    const existing = this.trees.get(name);
    if (existing === undefined || isEmptyTree(existing)) {
      this.trees.set(name, root);
      return;
    }
    if (!isEmptyTree(root)) this.errorf(`template: multiple definition of template ${quoteString(name)}`);
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const nameItem = this.nextNonSpace();
    if (nameItem.type !== 'string' && nameItem.type !== 'rawString') this.unexpected(nameItem, context);
    const name = this.unquote(nameItem);
    this.expect('rightDelim', context);
    const inner = new Parser(this.items, this.source, this.isFunction, this.trees);
    inner.i = this.i;
    const [list, end] = inner.itemList();
    if (end.type !== 'end') inner.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.i = inner.i;
    this.lastFetched = Math.max(this.lastFetched, inner.lastFetched);
    this.add(name, list);
  }

  private newList(pos: number): ListNode {
    return { type: 'list', pos, nodes: [] };
  }

  private itemList(): [ListNode, EndNode | ElseNode] {
    const list = this.newList(this.peekNonSpace().pos);
    while (this.peekNonSpace().type !== 'eof') {
      const node = this.textOrAction();
      if (node.type === 'end' || node.type === 'else') return [list, node];
      list.nodes.push(node);
    }
    return this.errorf('unexpected EOF');
  }

  private textOrAction(): Node {
    const item = this.nextNonSpace();
    switch (item.type) {
      case 'text': return { type: 'text', pos: item.pos, text: item.val };
      case 'leftDelim':
        this.actionLine = item.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      default: return this.unexpected(item, 'input');
    }
  }

  // -- actions and control structures ----------------------------------------------

  private action(): Node {
    const item = this.nextNonSpace();
    switch (item.type) {
      case 'block': return this.blockControl();
      case 'break': case 'continue': return this.loopControl(item);
      case 'else': return this.elseControl();
      case 'end': return { type: 'end', pos: this.expect('rightDelim', 'end').pos };
      case 'if': case 'range': case 'with': return this.branchControl(item.type);
      case 'template': return this.templateControl();
      default: break;
    }
    this.backup();
    const start = this.peek();
    return { type: 'action', pos: start.pos, line: start.line, pipe: this.pipeline('command', 'rightDelim') };
  }

  private loopControl(item: Item): Node {
    const name = item.type === 'break' ? 'break' : 'continue';
    const next = this.nextNonSpace();
    if (next.type !== 'rightDelim') this.unexpected(next, `{{${name}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${name}}} outside {{range}}`);
    return { type: name, pos: item.pos, line: item.line };
  }

  private elseControl(): ElseNode {
    const peek = this.peekNonSpace();
    if (peek.type === 'if' || peek.type === 'with') return { type: 'else', pos: peek.pos, line: peek.line };
    const item = this.expect('rightDelim', 'else');
    return { type: 'else', pos: item.pos, line: item.line };
  }

  private branchControl(kind: 'if' | 'range' | 'with'): BranchNode {
    const mark = this.vars.length;
    const pipe = this.pipeline(kind, 'rightDelim');
    if (kind === 'range') this.rangeDepth++;
    const [list, next] = this.itemList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: ListNode | undefined;
    if (next.type === 'else') elseList = this.elseBranch(kind, next);
    this.vars = this.vars.slice(0, mark);
    return { type: kind, pos: pipe.pos, line: pipe.line, pipe, list, elseList };
  }

  private elseBranch(kind: 'if' | 'range' | 'with', elseNode: ElseNode): ListNode {
    if ((kind === 'if' && this.peek().type === 'if') || (kind === 'with' && this.peek().type === 'with')) {
      this.next();
      const list = this.newList(elseNode.pos);
      list.nodes.push(this.branchControl(kind));
      return list;
    }
    const [list, next] = this.itemList();
    if (next.type !== 'end') this.errorf(`expected end; found ${nodeString(next)}`);
    return list;
  }

  private templateName(item: Item, context: string): string {
    if (item.type !== 'string' && item.type !== 'rawString') this.unexpected(item, context);
    return this.unquote(item);
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const item = this.nextNonSpace();
    const name = this.templateName(item, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { type: 'template', pos: item.pos, line: item.line, name, pipe };
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const item = this.nextNonSpace();
    const name = this.templateName(item, context);
    const pipe = this.pipeline(context, 'rightDelim');
    const inner = new Parser(this.items, this.source, this.isFunction, this.trees);
    inner.i = this.i;
    const [list, end] = inner.itemList();
    this.i = inner.i;
    this.lastFetched = Math.max(this.lastFetched, inner.lastFetched);
    if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.add(name, list);
    return { type: 'template', pos: item.pos, line: item.line, name, pipe };
  }

  // -- pipelines and commands --------------------------------------------------------

  private pipeline(context: string, end: ItemType): PipeNode {
    const start = this.peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', pos: start.pos, line: start.line, isAssign: false, decl: [], cmds: [] };
    this.declarations(pipe, context);
    for (;;) {
      const item = this.nextNonSpace();
      if (item.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      if (!OPERAND_START.has(item.type)) this.unexpected(item, context);
      this.backup();
      pipe.cmds.push(this.command());
    }
  }

  private declarations(pipe: PipeNode, context: string): void {
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') return;
      const variableIndex = this.i;
      this.next();
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.nextNonSpace();
        this.declareVariable(pipe, v);
        return;
      }
      if (next.type !== 'char' || next.val !== ',') {
        this.i = variableIndex;
        return;
      }
      this.nextNonSpace();
      this.declareVariable(pipe, v);
      this.checkMoreDeclarations(pipe, context);
    }
  }

  /** After `$a,`: only `range` may declare a second variable. */
  private checkMoreDeclarations(pipe: PipeNode, context: string): void {
    if (context !== 'range' || pipe.decl.length >= 2) this.errorf(`too many declarations in ${context}`);
    const after = this.peekNonSpace().type;
    if (after !== 'variable' && after !== 'rightDelim' && after !== 'rightParen') {
      this.errorf('range can only initialize variables');
    }
  }

  private declareVariable(pipe: PipeNode, item: Item): void {
    pipe.decl.push({ type: 'variable', pos: item.pos, ident: [item.val] });
    this.vars.push(item.val);
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((cmd, i) => {
      const first = cmd.args[0]?.type;
      if (first === 'bool' || first === 'dot' || first === 'nil' || first === 'number' || first === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== undefined) cmd.args.push(operand);
      const item = this.next();
      if (item.type === 'space') continue;
      if (item.type === 'rightDelim' || item.type === 'rightParen') this.backup();
      else if (item.type !== 'pipe') this.unexpected(item, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): ArgNode | undefined {
    const node = this.term();
    if (node === undefined || this.peek().type !== 'field') return node;
    const chainPos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().val.slice(1));
    switch (node.type) {
      case 'field': return { type: 'field', pos: chainPos, ident: [...node.ident, ...fields] };
      case 'variable': return { type: 'variable', pos: chainPos, ident: [...node.ident, ...fields] };
      case 'bool': case 'string': case 'number': case 'nil': case 'dot':
        return this.errorf(`unexpected . after term ${quoteString(nodeString(node))}`);
      default: {
        const chain: ChainNode = { type: 'chain', pos: chainPos, node, field: fields };
        return chain;
      }
    }
  }

  private term(): ArgNode | undefined {
    const item = this.nextNonSpace();
    const simple = this.simpleTerm(item);
    if (simple !== undefined) return simple;
    switch (item.type) {
      case 'identifier':
        if (!this.isFunction(item.val)) this.errorf(`function ${quoteString(item.val)} not defined`, item);
        return { type: 'identifier', pos: item.pos, ident: item.val };
      case 'variable': return this.useVar(item);
      case 'charConstant': case 'complex': case 'number': return this.number(item);
      case 'leftParen': return this.parenthesized();
      case 'string': case 'rawString':
        return { type: 'string', pos: item.pos, quoted: item.val, text: this.unquote(item) };
      default:
        this.backup();
        return undefined;
    }
  }

  /** Terms that need no checks: `.`, `nil`, a field, a bool. */
  private simpleTerm(item: Item): ArgNode | undefined {
    switch (item.type) {
      case 'dot': return { type: 'dot', pos: item.pos };
      case 'nil': return { type: 'nil', pos: item.pos };
      case 'field': return { type: 'field', pos: item.pos, ident: [item.val.slice(1)] };
      case 'bool': return { type: 'bool', pos: item.pos, value: item.val === 'true' };
      default: return undefined;
    }
  }

  private parenthesized(): PipeNode {
    if (this.parenDepth >= MAX_PAREN_DEPTH) this.errorf('max expression depth exceeded');
    this.parenDepth++;
    try {
      return this.pipeline('parenthesized pipeline', 'rightParen');
    } finally {
      this.parenDepth--;
    }
  }

  private number(item: Item): NumberNode {
    const result = parseNumber(item.val, item.type);
    if (typeof result === 'string') this.errorf(result, item);
    return { ...result, pos: item.pos };
  }

  private useVar(item: Item): VariableNode {
    const [name = '', ...fields] = item.val.split('.');
    if (!this.vars.includes(name)) this.errorf(`undefined variable ${quoteString(name)}`, item);
    return { type: 'variable', pos: item.pos, ident: [name, ...fields] };
  }

  private unquote(item: Item): string {
    try {
      return unquoteString(item.val);
    } catch (err) {
      if (err instanceof UnquoteError) this.errorf(err.message, item);
      throw err;
    }
  }
}

/**
 * Parses `source` as a Go template. `isFunction` says which function names
 * exist (Go rejects unknown functions at parse time).
 *
 * @throws TemplateError (kind `parse`) with Go's message and the position.
 */
export function parseTemplate(source: string, isFunction: (name: string) => boolean): ParsedTemplate {
  const trees = new Map<string, ListNode>();
  new Parser(lex(source), source, isFunction, trees).parseTop(TEMPLATE_NAME);
  return { source, trees };
}
