/**
 * The parse tree of a Go template, shaped like Go's text/template/parse
 * nodes, and their Go-style source rendering (used in error messages such as
 * `executing "inline" at <.spec.x>`).
 */
import { quoteString } from './quote.ts';

/** Source offset (UTF-16) of a node. */
interface Positioned {
  pos: number;
}

export interface DotNode extends Positioned {
  type: 'dot';
}
export interface NilNode extends Positioned {
  type: 'nil';
}
export interface BoolNode extends Positioned {
  type: 'bool';
  value: boolean;
}
export interface StringNode extends Positioned {
  type: 'string';
  quoted: string;
  text: string;
}

/** A numeric literal with every interpretation Go allows for it. */
export interface NumberNode extends Positioned {
  type: 'number';
  text: string;
  isInt: boolean;
  isFloat: boolean;
  isUint: boolean;
  int64: bigint;
  float64: number;
}

/** `.a.b` (a field chain on dot). */
export interface FieldNode extends Positioned {
  type: 'field';
  ident: string[];
}
/** `$x` or `$x.a.b`. */
export interface VariableNode extends Positioned {
  type: 'variable';
  ident: string[];
}
/** A function name. */
export interface IdentifierNode extends Positioned {
  type: 'identifier';
  ident: string;
}
/** A term followed by fields, e.g. `(index . 0).name`. */
export interface ChainNode extends Positioned {
  type: 'chain';
  node: ArgNode;
  field: string[];
}

/** One command of a pipeline: a function, field or value with its arguments. */
export interface CommandNode extends Positioned {
  type: 'command';
  args: ArgNode[];
}

/** A pipeline, optionally declaring (`:=`) or assigning (`=`) variables. */
export interface PipeNode extends Positioned {
  type: 'pipe';
  line: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}

/** What can appear as an argument of a command. */
export type ArgNode =
  | DotNode
  | NilNode
  | BoolNode
  | StringNode
  | NumberNode
  | FieldNode
  | VariableNode
  | IdentifierNode
  | ChainNode
  | PipeNode;

export interface ListNode extends Positioned {
  type: 'list';
  nodes: Node[];
}
export interface TextNode extends Positioned {
  type: 'text';
  text: string;
}
export interface CommentNode extends Positioned {
  type: 'comment';
  text: string;
}
export interface ActionNode extends Positioned {
  type: 'action';
  line: number;
  pipe: PipeNode;
}
export interface BreakNode extends Positioned {
  type: 'break';
  line: number;
}
export interface ContinueNode extends Positioned {
  type: 'continue';
  line: number;
}

/** `if`, `with` and `range`: a pipeline, a body and an optional else branch. */
export interface BranchNode extends Positioned {
  type: 'if' | 'with' | 'range';
  line: number;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | undefined;
}

/** `{{template "name" pipeline}}` (also what `block` leaves in place). */
export interface TemplateNode extends Positioned {
  type: 'template';
  line: number;
  name: string;
  pipe: PipeNode | undefined;
}

/** Parser-internal markers for `{{end}}` and `{{else}}`. */
export interface EndNode extends Positioned {
  type: 'end';
}
export interface ElseNode extends Positioned {
  type: 'else';
  line: number;
}

/** Nodes that make up a template body. */
export type Node =
  | ListNode
  | TextNode
  | CommentNode
  | ActionNode
  | BreakNode
  | ContinueNode
  | BranchNode
  | TemplateNode
  | EndNode
  | ElseNode;

/** Every node kind, for rendering. */
export type AnyNode = Node | ArgNode | CommandNode;

function argString(arg: ArgNode): string {
  return arg.type === 'pipe' ? `(${nodeString(arg)})` : nodeString(arg);
}

function pipeString(pipe: PipeNode): string {
  let out = '';
  if (pipe.decl.length > 0) {
    out = pipe.decl.map((v) => v.ident.join('.')).join(', ') + (pipe.isAssign ? ' = ' : ' := ');
  }
  return out + pipe.cmds.map((c) => nodeString(c)).join(' | ');
}

function branchString(node: BranchNode): string {
  const elsePart = node.elseList === undefined ? '' : `{{else}}${nodeString(node.elseList)}`;
  return `{{${node.type} ${pipeString(node.pipe)}}}${nodeString(node.list)}${elsePart}{{end}}`;
}

const RENDERERS: { [K in AnyNode['type']]: (node: Extract<AnyNode, { type: K }>) => string } = {
  dot: () => '.',
  nil: () => 'nil',
  bool: (n) => String(n.value),
  string: (n) => n.quoted,
  number: (n) => n.text,
  field: (n) => n.ident.map((i) => '.' + i).join(''),
  variable: (n) => n.ident.join('.'),
  identifier: (n) => n.ident,
  chain: (n) => argString(n.node) + n.field.map((f) => '.' + f).join(''),
  command: (n) => n.args.map(argString).join(' '),
  pipe: pipeString,
  list: (n) => n.nodes.map((c) => nodeString(c)).join(''),
  text: (n) => n.text,
  comment: (n) => `{{${n.text}}}`,
  action: (n) => `{{${pipeString(n.pipe)}}}`,
  break: () => '{{break}}',
  continue: () => '{{continue}}',
  if: branchString,
  with: branchString,
  range: branchString,
  template: (n) => `{{template ${quoteString(n.name)}${n.pipe === undefined ? '' : ' ' + pipeString(n.pipe)}}}`,
  end: () => '{{end}}',
  else: () => '{{else}}',
};

/** Go's `Node.String()`: the node rendered back to template source. */
export function nodeString(node: AnyNode): string {
  const render = RENDERERS[node.type] as (n: AnyNode) => string;
  return render(node);
}
