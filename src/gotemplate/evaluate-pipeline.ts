/**
 * The expression half of Go's text/template executor: pipelines and their
 * commands, fields on maps and structs (a missing map key is "no value"),
 * variables with field chains, function calls with Go's arity and argument
 * type checks (`and`/`or` short-circuit, `call` gets its callee's name),
 * and the conversion of literal arguments to parameter types. The
 * control-flow walker (evaluate.ts) calls {@link PipelineEvaluator.evalPipeline}
 * for every action and branch condition.
 */
import {
  CANNOT_BE_NIL,
  CANNOT_CONVERT,
  checkValue,
  convertLiteral,
  literalMismatch,
  literalValue,
  zeroOf,
  type LiteralNode,
} from './arguments.ts';
import { ExecFailure, TemplateError } from './errors.ts';
import { ExecutionState } from './evaluate-state.ts';
import { formatValue } from './fmt.ts';
import { goTypeName, isShortCircuit, truth, type ParamType, type TemplateFunction } from './functions.ts';
import type {
  AnyNode,
  ArgNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  NumberNode,
  PipeNode,
  VariableNode,
} from './nodes.ts';
import { nodeString } from './nodes.ts';
import { quoteString } from './quote.ts';
import { goInt, isGoMap, isStruct, mapGet, mapType, structTypeName, typeName } from './values.ts';

/** Marks "no final value" in a pipeline (Go's missingVal). */
const MISSING = Symbol('missing');
type Final = unknown;

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

/** Evaluates pipelines against dot, on the variables and error reporting of {@link ExecutionState}. */
export class PipelineEvaluator extends ExecutionState {
  // -- pipelines and commands ------------------------------------------------------

  protected evalPipeline(dot: unknown, pipe: PipeNode): unknown {
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
      case 'field':
        return this.evalFieldNode(dot, first, site);
      case 'chain':
        return this.evalChainNode(dot, first, site);
      case 'identifier':
        return this.evalFunction(dot, first, site);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, site);
      default:
        break;
    }
    this.node = first;
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.errorf('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      default:
        return first.text;
    }
  }

  private idealConstant(node: NumberNode): unknown {
    this.node = node;
    const isHexInt = /^[+-]?0[xX]/.test(node.text) && !/[pP]/.test(node.text);
    if (node.isFloat && !isHexInt && !node.text.startsWith("'") && /[.eEpP]/.test(node.text)) return node.float64;
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
    return this.evalFieldChain(
      dot,
      { value: variable.value, iface: variable.iface === true },
      node.ident.slice(1),
      site,
    );
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
        params: [],
        variadic: 'any',
        call: (argv) => (member as (...a: unknown[]) => unknown).apply(receiver, argv),
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
      case 'dot':
        return this.validateType(dot, type);
      case 'nil':
        return this.nilArg(type);
      case 'field':
        return this.validateType(this.evalFieldNode(dot, node, bare), type);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, node, bare), type);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, node), type);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, node, bare), type);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, node, bare), type);
      default:
        return this.literalArg(type, node);
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

function hasArgs(site: CallSite): boolean {
  return site.args.length > 1 || site.final !== MISSING;
}

function paramType(fn: TemplateFunction, i: number): ParamType {
  return fn.params[i] ?? fn.variadic ?? 'any';
}
