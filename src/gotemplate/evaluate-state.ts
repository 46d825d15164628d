/**
 * What one execution of a Go template carries from node to node: the
 * variable stack (`$` and every `$x := …` in scope), whether dot is held in
 * an interface, the node being executed, and Go's `executing "inline" at
 * <…>: …` error format built from that node. The pipeline evaluator
 * (evaluate-pipeline.ts) and the control-flow walker (evaluate.ts) build on
 * this one state, so both see the same variables and report errors alike.
 */
import { TEMPLATE_NAME, TemplateError, positionOf } from './errors.ts';
import type { FunctionMap } from './functions.ts';
import type { AnyNode } from './nodes.ts';
import { nodeString } from './nodes.ts';
import type { ParsedTemplate } from './parser.ts';
import { quoteString } from './quote.ts';

interface Variable {
  name: string;
  value: unknown;
  /** Whether Go holds the value in an interface (a range element), which shows in error messages. */
  iface?: boolean;
}

/** The variables, current node and error reporting of one execution. */
export class ExecutionState {
  protected readonly template: ParsedTemplate;
  protected readonly funcs: FunctionMap;
  protected vars: Variable[];
  protected node: AnyNode | undefined;
  /** The name of the template being executed (`inline`, or a `define`d one), as messages show it. */
  protected readonly name: string;
  /** Whether dot is an interface-typed range element (see {@link Variable.iface}). */
  protected dotIface = false;

  constructor(template: ParsedTemplate, funcs: FunctionMap, dot: unknown, name: string) {
    this.template = template;
    this.funcs = funcs;
    this.vars = [{ name: '$', value: dot }];
    this.name = name;
  }

  // -- errors ------------------------------------------------------------------

  protected errorf(message: string): never {
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

  protected variable(name: string): Variable {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v?.name === name) return v;
    }
    return this.errorf(`undefined variable: ${name}`);
  }

  protected setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v?.name === name) {
        v.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  protected setTopVar(n: number, value: unknown, iface = false): void {
    const v = this.vars[this.vars.length - n];
    if (v !== undefined) {
      v.value = value;
      v.iface = iface;
    }
  }

  /** Runs `body` with dot marked as interface-typed or not. */
  protected withDotIface<T>(iface: boolean, body: () => T): T {
    const saved = this.dotIface;
    this.dotIface = iface;
    try {
      return body();
    } finally {
      this.dotIface = saved;
    }
  }

  /** Runs `body`, then drops the variables it declared (Go pops them at the end of a control structure). */
  protected withScope<T>(body: () => T): T {
    const mark = this.vars.length;
    try {
      return body();
    } finally {
      this.vars = this.vars.slice(0, mark);
    }
  }
}
