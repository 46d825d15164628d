/**
 * The executor of Go's text/template: walks a parse tree against template
 * data, printing text and action values (`<no value>` for a missing one)
 * and running the control structures: `if`/`with`/`range` (maps in key
 * order, integers counted, `break`/`continue`, `else`) and `{{template}}`
 * calls with Go's depth limit. Pipelines are evaluated by
 * evaluate-pipeline.ts; variables and Go's error messages (`executing
 * "inline" at <…>: …`) live in evaluate-state.ts.
 */
import { TEMPLATE_NAME, TemplateError } from './errors.ts';
import { PipelineEvaluator } from './evaluate-pipeline.ts';
import { formatValue } from './fmt.ts';
import { truth, type FunctionMap } from './functions.ts';
import type { AnyNode, BranchNode, ListNode, Node, PipeNode, TemplateNode } from './nodes.ts';
import { nodeString } from './nodes.ts';
import type { ParsedTemplate } from './parser.ts';
import { quoteString } from './quote.ts';
import { GoInt, goInt, isGoMap, mapType, sliceType, sortedKeys, typeName } from './values.ts';

/** How a walk ended: normally, or by `{{break}}` / `{{continue}}`. */
type Flow = 'break' | 'continue' | undefined;

/** Go's limit for nested {{template}} calls on wasm (100000 elsewhere; JavaScript has the smaller stack). */
const MAX_TEMPLATE_DEPTH = 1000;

/** Whether ranging over `value` yields interface-typed elements (`[]interface {}`, `map[string]interface {}`). */
function hasInterfaceElements(value: unknown): boolean {
  if (Array.isArray(value)) return sliceType(value) === '[]interface {}';
  return isGoMap(value) && mapType(value) === 'map[string]interface {}';
}

/** Walks one template's tree (a {{template}} call gets its own), collecting the output. */
class Execution extends PipelineEvaluator {
  private readonly out: string[] = [];
  /** How many {{template}} calls deep this execution is. */
  private readonly depth: number;

  constructor(template: ParsedTemplate, funcs: FunctionMap, dot: unknown, scope: { name: string; depth: number }) {
    super(template, funcs, dot, scope.name);
    this.depth = scope.depth;
  }

  run(root: ListNode, dot: unknown): string {
    this.walk(dot, root);
    return this.out.join('');
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
      case 'break':
      case 'continue':
        return node.type;
      case 'if':
      case 'with':
        return this.walkIfOrWith(dot, node);
      case 'range':
        return this.walkRange(dot, node);
      case 'list':
        return this.walkList(dot, node);
      case 'template':
        return this.walkTemplate(dot, node);
      case 'text':
        this.out.push(node.text);
        return undefined;
      default:
        return undefined;
    }
  }

  private walkList(dot: unknown, list: ListNode): Flow {
    for (const child of list.nodes) {
      const flow = this.walk(dot, child);
      if (flow !== undefined) return flow;
    }
    return undefined;
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
      if (node.pipe.decl.length > 1)
        this.errorf(`can't use ${formatValue(value)} to iterate over more than one variable`);
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
}

/** 0, 1, … n-1 as Go ints of n's kind (for `range n`). */
function* countTo(n: GoInt): Generator<[unknown, unknown]> {
  for (let i = 0n; i < n.value; i++) yield [undefined, new GoInt(n.kind, i)];
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
    throw new TemplateError(
      'exec',
      `template: ${TEMPLATE_NAME}: ${quoteString(TEMPLATE_NAME)} is an incomplete or empty template`,
    );
  }
  return run.run(root, dot);
}
