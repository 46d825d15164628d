/**
 * The parser of Go's text/template: turns lexer items into a parse tree
 * with the same shape, checks and error messages as Go's parse package.
 * This file parses the template's structure: text, actions, `if`/`with`/
 * `range` with `else` and `end` (`break`/`continue` only inside `range`),
 * and `define`, `template` and `block`. Pipelines inside actions are parsed
 * by parser-pipeline.ts, on the token cursor of parser-cursor.ts.
 */
import { TEMPLATE_NAME } from './errors.ts';
import { lex } from './lexer.ts';
import type { Item } from './tokens.ts';
import type { BranchNode, ElseNode, EndNode, ListNode, Node, PipeNode, TemplateNode } from './nodes.ts';
import { nodeString } from './nodes.ts';
import { PipelineParser } from './parser-pipeline.ts';
import { quoteString } from './quote.ts';

/** A parsed template: the main tree plus the ones `define`/`block` declared, by name. */
export interface ParsedTemplate {
  source: string;
  trees: ReadonlyMap<string, ListNode>;
}

/** Whether a tree is only spaces and comments: Go lets a definition replace such a tree, and ignores one that is such a tree. */
function isEmptyTree(node: Node): boolean {
  switch (node.type) {
    case 'comment':
      return true;
    case 'list':
      return node.nodes.every(isEmptyTree);
    case 'text':
      return node.text.trim() === '';
    default:
      return false;
  }
}

/** Parses one template body; `define` bodies get their own instance sharing `trees`. */
class Parser extends PipelineParser {
  private readonly trees: Map<string, ListNode>;
  private rangeDepth = 0;

  constructor(items: Item[], source: string, isFunction: (name: string) => boolean, trees: Map<string, ListNode>) {
    super(items, source, isFunction);
    this.trees = trees;
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
      case 'text':
        return { type: 'text', pos: item.pos, text: item.val };
      case 'leftDelim':
        this.actionLine = item.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      default:
        return this.unexpected(item, 'input');
    }
  }

  // -- actions and control structures ----------------------------------------------

  private action(): Node {
    const item = this.nextNonSpace();
    switch (item.type) {
      case 'block':
        return this.blockControl();
      case 'break':
      case 'continue':
        return this.loopControl(item);
      case 'else':
        return this.elseControl();
      case 'end':
        return { type: 'end', pos: this.expect('rightDelim', 'end').pos };
      case 'if':
      case 'range':
      case 'with':
        return this.branchControl(item.type);
      case 'template':
        return this.templateControl();
      default:
        break;
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
