/**
 * Go templates for PublishedResources: naming rules, related-object
 * templates and template mutations, rendered exactly as the upstream Go
 * agent renders them (text/template + sprig + the agent's hash helpers).
 *
 * Decision (docs/adr/0001-go-templates.md): this is a small interpreter
 * written in TypeScript rather than Go's text/template compiled to
 * WebAssembly. It keeps the agent a plain Node process (no 10+ MB wasm
 * blob, no Go toolchain needed to build it), renders in microseconds, and
 * its faithfulness is enforced by test vectors that Go's own text/template
 * and sprig produce (hack/vectors/templates.sh).
 *
 * Everything here is pure: no I/O, clock, environment or randomness.
 */
import type { TemplateRenderer } from '../translate/naming.ts';
import { sha3Hex, sha3Short, shortSha1 } from '../translate/hashes.ts';
import { FunctionError, TEMPLATE_NAME, TemplateError } from './errors.ts';
import { execute } from './evaluate.ts';
import { builtinFunctions, fn, type FunctionMap, type TemplateFunction } from './functions.ts';
import { parseTemplate, type ParsedTemplate } from './parser.ts';
import { sprigFunctions } from './sprig.ts';
import { trimSpace } from './unicode.ts';
import { fromKubernetesJSON, type GoInt } from './values.ts';

/**
 * Which functions templates may call:
 * - `agent`: what upstream offers naming and related-object templates:
 *   sprig, `join` replaced by Go's strings.Join (`join LIST SEP`, LIST must
 *   be a `[]string`), plus `sha3sum`, `sha3short` and `shortHash`;
 * - `sprig`: what upstream offers template mutations: sprig only.
 */
export type FunctionSet = 'agent' | 'sprig';

/** Options of {@link compileTemplate}. */
export interface CompileOptions {
  /** Function set (default `agent`). */
  functions?: FunctionSet;
}

/** A parsed template, ready to run any number of times. */
export interface CompiledTemplate {
  /** The template source. */
  readonly source: string;
  /**
   * Renders the template against `data` and returns the output untrimmed.
   * `data` is not copied: sprig's `set`/`unset`/`merge` modify maps in it,
   * as they do in Go.
   *
   * @throws TemplateError (kind `exec`) when execution fails the way Go's
   * would (missing function argument types, index out of range, nil pointer
   * evaluating …, a refused function, …).
   */
  execute(data: unknown): string;
}

function sha3ShortFn(args: unknown[]): string {
  const [input, ...lengths] = args as [string, ...GoInt[]];
  if (lengths.length > 1) {
    throw new FunctionError(`sha3short: expected at most one length argument, got ${lengths.length}`);
  }
  const length = lengths[0] === undefined ? 20 : Number(lengths[0].value);
  if (length <= 0) throw new FunctionError(`sha3short: invalid length ${length}`);
  return sha3Short(input, length);
}

function agentExtras(): [string, TemplateFunction][] {
  return [
    ['join', fn(['[]string', 'string'], ([elems, sep]) => (elems as string[]).join(sep as string))],
    ['sha3sum', fn(['string'], ([s]) => sha3Hex(s as string))],
    ['sha3short', fn(['string'], sha3ShortFn, 'int')],
    ['shortHash', fn(['string'], ([s]) => shortSha1(s as string))],
  ];
}

/** Builds the function map of a set: Go's builtins, then sprig (which replaces `slice`), then the extras. */
export function functionMap(set: FunctionSet): FunctionMap {
  const map = builtinFunctions();
  for (const [name, f] of sprigFunctions()) map.set(name, f);
  if (set === 'agent') for (const [name, f] of agentExtras()) map.set(name, f);
  return map;
}

/** The function maps are immutable and shared by all templates. */
const FUNCTION_MAPS: Readonly<Record<FunctionSet, FunctionMap>> = {
  agent: functionMap('agent'),
  sprig: functionMap('sprig'),
};

/**
 * Parses a Go template. Unknown functions are parse errors, as in Go.
 *
 * @throws TemplateError (kind `parse`) with Go's message, prefixed with
 * `template: inline:LINE:COL:` (COL = byte offset within the line).
 */
export function compileTemplate(source: string, options: CompileOptions = {}): CompiledTemplate {
  const funcs = FUNCTION_MAPS[options.functions ?? 'agent'];
  const parsed: ParsedTemplate = withStackGuard('parse', () => parseTemplate(source, (name) => funcs.has(name)));
  return {
    source,
    execute: (data: unknown): string => withStackGuard('exec', () => execute(parsed, funcs, data)),
  };
}

/**
 * Runs `body`, turning a JavaScript stack overflow (a template nested far
 * deeper than any real one) into a TemplateError, so callers only ever see
 * TemplateErrors.
 */
function withStackGuard<T>(kind: 'parse' | 'exec', body: () => T): T {
  try {
    return body();
  } catch (err) {
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      throw new TemplateError(kind, `template: ${TEMPLATE_NAME}: template nested too deeply`, undefined, {
        cause: err,
      });
    }
    throw err;
  }
}

/** Whether `err` is a {@link TemplateError}. */
export function isTemplateError(err: unknown): err is TemplateError {
  return err instanceof TemplateError;
}

/**
 * Renders like upstream's templating.Render: compile (cached by source),
 * execute, then trim white space (Go's strings.TrimSpace). Uses the `agent`
 * function set. `data` holds JSON-decoded Kubernetes objects: it is copied
 * with whole numbers typed as int64, as Kubernetes' decoder types them for
 * upstream (see {@link fromKubernetesJSON}), so rendering never changes it.
 */
export function createGoTemplates(): TemplateRenderer {
  const cache = new Map<string, CompiledTemplate>();
  return {
    render(template: string, data: unknown): string {
      let compiled = cache.get(template);
      if (compiled === undefined) {
        compiled = compileTemplate(template);
        cache.set(template, compiled);
      }
      return trimSpace(compiled.execute(fromKubernetesJSON(data)));
    },
  };
}

/** The shared renderer for naming and related-object templates (see {@link createGoTemplates}). */
export const goTemplates: TemplateRenderer = createGoTemplates();
