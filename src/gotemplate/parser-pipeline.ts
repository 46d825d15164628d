/**
 * The pipeline half of the Go-template parser: variable declarations
 * (`$x :=`, `$x =`, `range $i, $e :=`), the commands of a pipeline and
 * their operands (fields, variables, function names, literals, chains such
 * as `(index . 0).name`, parenthesized pipelines), with Go's checks:
 * functions must exist, variables must be declared, literals cannot be
 * later pipeline stages. parser.ts calls {@link PipelineParser.pipeline}
 * for actions and control structures.
 */
import type { Item, ItemType } from './tokens.ts';
import type { ArgNode, ChainNode, CommandNode, NumberNode, PipeNode, VariableNode } from './nodes.ts';
import { nodeString } from './nodes.ts';
import { parseNumber } from './numbers.ts';
import { TokenCursor } from './parser-cursor.ts';
import { quoteString } from './quote.ts';

/** Go's limit for nested parentheses on wasm (10000 elsewhere; JavaScript has the smaller stack). */
const MAX_PAREN_DEPTH = 1000;

const OPERAND_START: ReadonlySet<ItemType> = new Set<ItemType>([
  'bool',
  'charConstant',
  'complex',
  'dot',
  'field',
  'identifier',
  'number',
  'nil',
  'rawString',
  'string',
  'variable',
  'leftParen',
]);

/** Parses pipelines, tracking the variables in scope and the nesting of parentheses. */
export class PipelineParser extends TokenCursor {
  protected readonly isFunction: (name: string) => boolean;
  /** The variables declared so far, innermost last; control structures drop theirs at `end`. */
  protected vars: string[] = ['$'];
  private parenDepth = 0;

  constructor(items: Item[], source: string, isFunction: (name: string) => boolean) {
    super(items, source);
    this.isFunction = isFunction;
  }

  // -- pipelines and commands --------------------------------------------------------

  protected pipeline(context: string, end: ItemType): PipeNode {
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
      case 'field':
        return { type: 'field', pos: chainPos, ident: [...node.ident, ...fields] };
      case 'variable':
        return { type: 'variable', pos: chainPos, ident: [...node.ident, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
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
      case 'variable':
        return this.useVar(item);
      case 'charConstant':
      case 'complex':
      case 'number':
        return this.number(item);
      case 'leftParen':
        return this.parenthesized();
      case 'string':
      case 'rawString':
        return { type: 'string', pos: item.pos, quoted: item.val, text: this.unquote(item) };
      default:
        this.backup();
        return undefined;
    }
  }

  /** Terms that need no checks: `.`, `nil`, a field, a bool. */
  private simpleTerm(item: Item): ArgNode | undefined {
    switch (item.type) {
      case 'dot':
        return { type: 'dot', pos: item.pos };
      case 'nil':
        return { type: 'nil', pos: item.pos };
      case 'field':
        return { type: 'field', pos: item.pos, ident: [item.val.slice(1)] };
      case 'bool':
        return { type: 'bool', pos: item.pos, value: item.val === 'true' };
      default:
        return undefined;
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
}
