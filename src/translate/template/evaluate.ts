/**
 * The executor of Go's text/template: walks a parse tree against template
 * data, with Go's rules for fields on maps and structs (a missing map key
 * is "no value", printed as `<no value>`), variables, `if`/`with`/`range`
 * (maps in key order, `break`/`continue`, `else`), pipelines and argument
 * type checks, and Go's error messages (`executing "inline" at <…>: …`).
 */
import {
  CANNOT_BE_NIL, CANNOT_CONVERT, checkValue, convertLiteral, literalMismatch, literalValue, zeroOf, type LiteralNode,
} from './arguments.ts';
import { ExecFailure, TEMPLATE_NAME, TemplateError, positionOf } from './errors.ts';
import { formatValue } from './fmt.ts';
import {
  goTypeName, isShortCircuit, truth, type FunctionMap, type ParamType, type TemplateFunction,
} from './functions.ts';
import type {
  AnyNode, ArgNode, BranchNode, ChainNode, CommandNode, FieldNode, IdentifierNode, ListNode, Node, NumberNode,
  PipeNode, TemplateNode, VariableNode,
} from './nodes.ts';
import { nodeString } from './nodes.ts';
import type { ParsedTemplate } from './parser.ts';
import { quoteString } from './quote.ts';
import {
  GoInt, goInt, isGoMap, isStruct, mapGet, mapType, sliceType, sortedKeys, structTypeName, typeName,
} from './values.ts';

/** Marks "no final value" in a pipeline (Go's missingVal). */
const MISSING = Symbol('missing');
type Final = unknown;

/** How a walk ended: normally, or by `{{break}}` / `{{continue}}`. */
type Flow = 'break' | 'continue' | undefined;

/** Go's limit for nested {{template}} calls on wasm (100000 elsewhere; JavaScript has the smaller stack). */
const MAX_TEMPLATE_DEPTH = 1000;

interface Variable {
  name: string;
  value: unknown;
  /** Whether Go holds the value in an interface (a range element), which shows in error messages. */
  iface?: boolean;
}

/** Whether ranging over `value` yields interface-typed elements (`[]interface {}`, `map[string]interface {}`). */
function hasInterfaceElements(value: unknown): boolean {
  if (Array.isArray(value)) return sliceType(value) === '[]interface {}';
  return isGoMap(value) && mapType(value) === 'map[string]interface {}';
}

/** Everything one execution needs. */
class Execution {
  private readonly template: ParsedTemplate;
  private readonly funcs: FunctionMap;
  private readonly out: string[] = [];
  private vars: Variable[];
  private node: AnyNode | undefined;
  private readonly name: string;
  private readonly depth: number;
  /** Whether dot is an interface-typed range element (see {@link Variable.iface}). */
  private dotIface = false;

  constructor(template: ParsedTemplate, funcs: FunctionMap, dot: unknown, scope: { name: string; depth: number }) {
    this.template = template;
    this.funcs = funcs;
    this.vars = [{ name: '$', value: dot }];
    this.name = scope.name;
    this.depth = scope.depth;
  }

  run(root: ListNode, dot: unknown): string {
    this.walk(dot, root);
    return this.out.join('');
  }

  // -- errors ------------------------------------------------------------------

  private errorf(message: string): never {
    if (this.node === undefined) {
      throw new TemplateError('exec', `template: ${this.name}: ${message}`);
    }
    const position = positionOf(this.template.source, this.node.pos);
    const location = `${TEMPLATE_NAME}:${position.line}:${position.column}`;
    throw new TemplateError(
      'exec',
      `template: ${location}: executing ${quoteString(this.name)} at <${nodeString(this.node)}>: ${message}`,
      position,
    );
  }

  // -- variables -----------------------------------------------------------------

  private variable(name: string): Variable {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v?.name === name) return v;
    }
    return this.errorf(`undefined variable: ${name}`);
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v?.name === name) {
        v.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: unknown, iface = false): void {
    const v = this.vars[this.vars.length - n];
    if (v !== undefined) {
      v.value = value;
      v.iface = iface;
    }
  }

  /** Runs `body` with dot marked as interface-typed or not. */
  private withDotIface<T>(iface: boolean, body: () => T): T {
    const saved = this.dotIface;
    this.dotIface = iface;
    try {
      return body();
    } finally {
      this.dotIface = saved;
    }
  }

  // -- walking -------------------------------------------------------------------

  private walk(dot: unknown, node: Node): Flow {
    this.node = node;
    switch (node.type) {
      case 'action': {
        const value = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, value);
        return undefined;
      }
      case 'break': case 'continue': return node.type;
      case 'if': case 'with': return this.walkIfOrWith(dot, node);
      case 'range': return this.walkRange(dot, node);
      case 'list': return this.walkList(dot, node);
      case 'template': return this.walkTemplate(dot, node);
      case 'text': this.out.push(node.text); return undefined;
      default: return undefined;
    }
  }

  private walkList(dot: unknown, list: ListNode): Flow {
    for (const child of list.nodes) {
      const flow = this.walk(dot, child);
      if (flow !== undefined) return flow;
    }
    return undefined;
  }

  private withScope<T>(body: () => T): T {
    const mark = this.vars.length;
    try {
      return body();
    } finally {
      this.vars = this.vars.slice(0, mark);
    }
  }

  private walkIfOrWith(dot: unknown, node: BranchNode): Flow {
    return this.withScope(() => {
      const value = this.evalPipeline(dot, node.pipe);
      if (truth(value)) {
        if (node.type === 'if') return this.walk(dot, node.list);
        return this.withDotIface(false, () => this.walk(value, node.list));
      }
      return node.elseList === undefined ? undefined : this.walk(dot, node.elseList);
    });
  }

  private walkRange(dot: unknown, node: BranchNode): Flow {
    this.node = node;
    const ran = this.withScope(() => {
      const value = this.evalPipeline(dot, node.pipe);
      const mark = this.vars.length;
      const iface = hasInterfaceElements(value);
      const iteration = (index: unknown, elem: unknown): Flow => {
        this.bindRangeVars(node.pipe, index, elem, iface);
        try {
          return this.withDotIface(iface, () => this.walk(elem, node.list));
        } finally {
          this.vars = this.vars.slice(0, mark);
        }
      };
      return this.iterate(node, value, iteration);
    });
    if (!ran && node.elseList !== undefined) return this.walk(dot, node.elseList);
    return undefined;
  }

  private bindRangeVars(pipe: PipeNode, index: unknown, elem: unknown, iface: boolean): void {
    const [first, second] = pipe.decl;
    if (first === undefined) return;
    if (pipe.isAssign) {
      this.setVar(first.ident[0] ?? '', second === undefined ? elem : index);
      if (second !== undefined) this.setVar(second.ident[0] ?? '', elem);
      return;
    }
    this.setTopVar(1, elem, iface);
    if (second !== undefined) this.setTopVar(2, index);
  }

  /** Runs the range body over `value`; false when there was nothing to iterate. */
  private iterate(node: BranchNode, value: unknown, iteration: (index: unknown, elem: unknown) => Flow): boolean {
    let ran = false;
    for (const [index, elem] of this.rangeItems(node, value)) {
      ran = true;
      if (iteration(index, elem) === 'break') break;
    }
    return ran;
  }

  /** The (index, element) pairs `range` visits; integers are counted lazily, as Go does. */
  private rangeItems(node: BranchNode, value: unknown): Iterable<[unknown, unknown]> {
    if (value === undefined) return [];
    if (Array.isArray(value)) return value.map((elem, i) => [goInt(i), elem]);
    if (isGoMap(value)) return sortedKeys(value).map((k) => [k, value[k]]);
    if (value instanceof GoInt) {
      if (node.pipe.decl.length > 1) this.errorf(`can't use ${formatValue(value)} to iterate over more than one variable`);
      return countTo(value);
    }
    return this.errorf(`range can't iterate over ${formatValue(value)}`);
  }

  private walkTemplate(dot: unknown, node: TemplateNode): Flow {
    this.node = node;
    const tree = this.template.trees.get(node.name);
    if (tree === undefined) this.errorf(`template ${quoteString(node.name)} not defined`);
    if (this.depth >= MAX_TEMPLATE_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_TEMPLATE_DEPTH})`);
    const newDot = node.pipe === undefined ? undefined : this.evalPipeline(dot, node.pipe);
    const inner = new Execution(this.template, this.funcs, newDot, { name: node.name, depth: this.depth + 1 });
    this.out.push(inner.run(tree, newDot));
    return undefined;
  }

  private printValue(node: AnyNode, value: unknown): void {
    this.node = node;
    if (value === undefined) {
      this.out.push('<no value>');
      return;
    }
    if (typeof value === 'function') this.errorf(`can't print ${nodeString(node)} of type ${typeName(value)}`);
    this.out.push(formatValue(value));
  }

  // -- pipelines and commands ------------------------------------------------------

  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.node = pipe;
    let value: unknown = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      if (value === null) value = undefined;
    }
    for (const v of pipe.decl) {
      const name = v.ident[0] ?? '';
      if (pipe.isAssign) this.setVar(name, value);
      else this.vars.push({ name, value });
    }
    return value;
  }

  private notAFunction(args: readonly ArgNode[], final: Final): void {
    const [first] = args;
    if (first !== undefined && (args.length > 1 || final !== MISSING)) {
      this.errorf(`can't give argument to non-function ${nodeString(first)}`);
    }
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const [first] = cmd.args;
    if (first === undefined) return this.errorf('empty command');
    const site: CallSite = { node: cmd, args: cmd.args, final };
    switch (first.type) {
      case 'field': return this.evalFieldNode(dot, first, site);
      case 'chain': return this.evalChainNode(dot, first, site);
      case 'identifier': return this.evalFunction(dot, first, site);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable': return this.evalVariableNode(dot, first, site);
      default: break;
    }
    this.node = first;
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool': return first.value;
      case 'dot': return dot;
      case 'nil': return this.errorf('nil is not a command');
      case 'number': return this.idealConstant(first);
      default: return first.text;
    }
  }

  private idealConstant(node: NumberNode): unknown {
    this.node = node;
    const isHexInt = /^[+-]?0[xX]/.test(node.text) && !/[pP]/.test(node.text);
    if (node.isFloat && !isHexInt && !node.text.startsWith('\'') && /[.eEpP]/.test(node.text)) return node.float64;
    if (node.isInt) return goInt(node.int64);
    return this.errorf(`${node.text} overflows int`);
  }

  // -- fields and variables ----------------------------------------------------------

  private evalFieldNode(dot: unknown, field: FieldNode, site: CallSite): unknown {
    this.node = field;
    return this.evalFieldChain(dot, { value: dot, iface: this.dotIface }, field.ident, site);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, site: CallSite): unknown {
    this.node = chain;
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const receiver = this.evalArg(dot, undefined, chain.node);
    return this.evalFieldChain(dot, { value: receiver, iface: false }, chain.field, site);
  }

  private evalVariableNode(dot: unknown, node: VariableNode, site: CallSite): unknown {
    this.node = node;
    const variable = this.variable(node.ident[0] ?? '');
    if (node.ident.length === 1) {
      this.notAFunction(site.args, site.final);
      return variable.value;
    }
    return this.evalFieldChain(dot, { value: variable.value, iface: variable.iface === true }, node.ident.slice(1), site);
  }

  /** Evaluates `.a.b.c` on `start`; only the last field gets the command's arguments. */
  private evalFieldChain(dot: unknown, start: Receiver, ident: readonly string[], site: CallSite): unknown {
    let receiver = start;
    ident.forEach((name, i) => {
      const last = i === ident.length - 1;
      const fieldSite: CallSite = last ? site : { node: site.node, args: [], final: MISSING };
      const value = this.evalField(dot, name, fieldSite, receiver);
      receiver = { value, iface: isGoMap(receiver.value) && mapType(receiver.value) === 'map[string]interface {}' };
    });
    return receiver.value;
  }

  private evalField(dot: unknown, name: string, site: CallSite, receiver: Receiver): unknown {
    const value = receiver.value;
    if (value === undefined) return undefined;
    const staticType = receiver.iface ? 'interface {}' : typeName(value);
    if (value === null) return this.errorf(`nil pointer evaluating ${staticType}.${name}`);
    if (isStruct(value)) return this.evalStructField(dot, name, site, value);
    if (isGoMap(value)) {
      if (hasArgs(site)) this.errorf(`${name} is not a method but has arguments`);
      return mapGet(value, name);
    }
    return this.errorf(`can't evaluate field ${name} in type ${staticType}`);
  }

  private evalStructField(dot: unknown, name: string, site: CallSite, receiver: object): unknown {
    const member = (receiver as Record<string, unknown>)[name];
    if (typeof member === 'function') {
      const method: TemplateFunction = {
        params: [], variadic: 'any', call: (argv) => (member as (...a: unknown[]) => unknown).apply(receiver, argv),
      };
      return this.evalCall(dot, method, name, site);
    }
    if (!(name in receiver)) this.errorf(`can't evaluate field ${name} in type ${structTypeName(receiver)}`);
    if (hasArgs(site)) this.errorf(`${name} has arguments but cannot be invoked as function`);
    return member ?? null;
  }

  // -- function calls ------------------------------------------------------------------

  private evalFunction(dot: unknown, node: IdentifierNode, site: CallSite): unknown {
    this.node = node;
    const fn = this.funcs.get(node.ident);
    if (fn === undefined) return this.errorf(`${quoteString(node.ident)} is not a defined function`);
    return this.evalCall(dot, fn, node.ident, site);
  }

  private checkArity(fn: TemplateFunction, name: string, args: readonly ArgNode[], final: Final): void {
    const numIn = args.length + (final === MISSING ? 0 : 1);
    if (fn.variadic !== undefined) {
      if (numIn < fn.params.length) {
        this.errorf(`wrong number of args for ${name}: want at least ${fn.params.length} got ${args.length}`);
      }
    } else if (numIn !== fn.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${fn.params.length} got ${numIn}`);
    }
  }

  private evalShortCircuit(dot: unknown, name: 'and' | 'or', args: readonly ArgNode[], final: Final): unknown {
    let value: unknown;
    for (const arg of args) {
      value = this.evalArg(dot, 'value', arg);
      if (truth(value) === (name === 'or')) return value;
    }
    return final === MISSING ? value : final;
  }

  private isBuiltin(name: string, fn: TemplateFunction): boolean {
    return this.funcs.get(name) === fn;
  }

  /** Go's evalCall: checks the arguments against `fn`'s signature, then calls it. */
  private evalCall(dot: unknown, fn: TemplateFunction, name: string, site: CallSite): unknown {
    const args = site.args.slice(1);
    this.checkArity(fn, name, args, site.final);
    if (isShortCircuit(name) && this.isBuiltin(name, fn)) return this.evalShortCircuit(dot, name, args, site.final);
    const argv = args.map((arg, i) => this.evalArg(dot, paramType(fn, i), arg));
    if (site.final !== MISSING) argv.push(this.validateType(site.final, paramType(fn, argv.length)));
    if (name === 'call' && this.isBuiltin(name, fn)) {
      argv.unshift(args[0] === undefined ? formatValue(site.final) : nodeString(args[0]));
    }
    try {
      return fn.call(argv);
    } catch (err) {
      if (err instanceof ExecFailure) this.errorf(err.message);
      if (err instanceof TemplateError) throw err;
      this.node = site.node;
      return this.errorf(`error calling ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  // -- arguments -------------------------------------------------------------------

  /** Go's validateType: checks a computed value against a parameter type. */
  private validateType(value: unknown, type: ParamType | undefined): unknown {
    try {
      return checkValue(value, type);
    } catch (err) {
      if (err instanceof ExecFailure) this.errorf(err.message);
      throw err;
    }
  }

  private evalArg(dot: unknown, type: ParamType | undefined, node: ArgNode): unknown {
    this.node = node;
    const bare: CallSite = { node, args: [node], final: MISSING };
    switch (node.type) {
      case 'dot': return this.validateType(dot, type);
      case 'nil': return this.nilArg(type);
      case 'field': return this.validateType(this.evalFieldNode(dot, node, bare), type);
      case 'variable': return this.validateType(this.evalVariableNode(dot, node, bare), type);
      case 'pipe': return this.validateType(this.evalPipeline(dot, node), type);
      case 'identifier': return this.validateType(this.evalFunction(dot, node, bare), type);
      case 'chain': return this.validateType(this.evalChainNode(dot, node, bare), type);
      default: return this.literalArg(type, node);
    }
  }

  private nilArg(type: ParamType | undefined): unknown {
    const zero = zeroOf(type);
    if (zero === CANNOT_BE_NIL) this.errorf(`cannot assign nil to ${goTypeName(type ?? 'any')}`);
    return zero;
  }

  private literalArg(type: ParamType | undefined, node: LiteralNode): unknown {
    this.node = node;
    if (type === undefined || type === 'any' || type === 'value') {
      return node.type === 'number' ? this.idealConstant(node) : literalValue(node);
    }
    const converted = convertLiteral(type, node);
    if (converted === CANNOT_CONVERT) this.errorf(literalMismatch(type, node));
    return converted;
  }
}

/** Where a field or function is used: the node (for messages), its command's arguments and piped value. */
interface CallSite {
  node: AnyNode;
  /** The command's words; the first is the function or field itself. */
  args: readonly ArgNode[];
  final: Final;
}

/** A receiver of a field lookup and whether Go holds it in an interface (it shows in messages). */
interface Receiver {
  value: unknown;
  iface: boolean;
}

/** 0, 1, … n-1 as Go ints of n's kind (for `range n`). */
function* countTo(n: GoInt): Generator<[unknown, unknown]> {
  for (let i = 0n; i < n.value; i++) yield [undefined, new GoInt(n.kind, i)];
}

function hasArgs(site: CallSite): boolean {
  return site.args.length > 1 || site.final !== MISSING;
}

function paramType(fn: TemplateFunction, i: number): ParamType {
  return fn.params[i] ?? fn.variadic ?? 'any';
}

/**
 * Executes the main tree of `template` against `data` with `funcs`, returning
 * the rendered text (not trimmed).
 *
 * @throws TemplateError (kind `exec`) with Go's message when execution fails.
 */
export function execute(template: ParsedTemplate, funcs: FunctionMap, data: unknown): string {
  const root = template.trees.get(TEMPLATE_NAME);
  const dot = data === null ? undefined : data;
  const run = new Execution(template, funcs, dot, { name: TEMPLATE_NAME, depth: 0 });
  if (root === undefined) {
    throw new TemplateError('exec', `template: ${TEMPLATE_NAME}: ${quoteString(TEMPLATE_NAME)} is an incomplete or empty template`);
  }
  return run.run(root, dot);
}
