/**
 * The `template` rule: replaces the value at a path with the output of a Go
 * template (text/template with sprig), trimmed as Go's strings.TrimSpace
 * trims and always written as a string.
 *
 * The template sees `.Value` (the gjson result at the path: `{{ .Value.String }}`,
 * `.Value.Int`, `.Value.Raw`, ...), `.LocalObject` (the object being mutated)
 * and `.RemoteObject` (the object on the other side; an empty map when there
 * is none, which behaves like upstream's nil map).
 */
import type { ResourceTemplateMutation } from '../../apis/v1alpha1/published-resource.ts';
import { isRecord } from '../../kube/object.ts';
import { gjsonResultOf, type GjsonResult } from '../../gjson/gjson-result.ts';
import { getResult } from '../../gjson/json-path.ts';
import { setPath } from '../../gjson/json-path-write.ts';
import { type GoInt, goInt } from '../../gotemplate/index.ts';
import { MutationError, compileRulePath, requireString, type CompiledRule, type MutationDeps } from './types.ts';

/**
 * What `.Value` is in a mutation template: gjson.Result's fields (`Raw`,
 * `Str`, `Num`, `Type`) and its methods (`String`, `Int`, `Float`, `Bool`,
 * `Exists`, `Value`, `IsArray`, `IsObject`, `IsBool`, `Array`, `Map`), which the template
 * engine calls like Go methods. Printing it prints `String()`, as in Go.
 */
export class TemplateValue {
  readonly Str: string;
  readonly Num: number;
  /** gjson's type name: `Null`, `False`, `Number`, `String`, `True` or `JSON`. */
  readonly Type: string;
  readonly #result: GjsonResult;

  constructor(result: GjsonResult) {
    this.#result = result;
    this.Str = result.type === 'String' ? result.string() : '';
    this.Num = result.num();
    this.Type = result.type;
  }

  /** The value's JSON as Go writes it (computed on first use: it may be a whole object). */
  get Raw(): string {
    return this.#result.raw;
  }

  String(): string {
    return this.#result.string();
  }

  Int(): GoInt {
    return goInt(this.#result.int(), 'int64');
  }

  Float(): number {
    return this.#result.float();
  }

  Bool(): boolean {
    return this.#result.bool();
  }

  Exists(): boolean {
    return this.#result.exists;
  }

  /** The plain value: numbers are float64, objects maps, arrays slices; nil when missing. */
  Value(): unknown {
    return this.#result.value;
  }

  IsArray(): boolean {
    return this.#result.type === 'JSON' && Array.isArray(this.#result.value);
  }

  IsObject(): boolean {
    return this.#result.type === 'JSON' && isRecord(this.#result.value);
  }

  IsBool(): boolean {
    return this.#result.type === 'True' || this.#result.type === 'False';
  }

  /** gjson's `Array()`: the elements; a non-array value alone; nothing for null or missing. */
  Array(): TemplateValue[] {
    const v = this.#result.value;
    if (this.#result.type === 'Null') return [];
    if (!Array.isArray(v)) return [this];
    return v.map((el) => new TemplateValue(gjsonResultOf(el)));
  }

  /** gjson's `Map()`: the fields of an object; empty for anything else. */
  Map(): Record<string, TemplateValue> {
    const v = this.#result.value;
    if (!isRecord(v)) return {};
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, new TemplateValue(gjsonResultOf(x))]),
    );
  }
}

/**
 * Compiles a `template` rule found at `field` (e.g. `spec.mutation.spec[1].template`).
 * The path is checked now, and the template too when `deps.compileTemplate`
 * or `deps.checkTemplate` is given (otherwise `deps.templates` parses it when
 * it first runs, and a broken template fails on the first object). Throws
 * MutationError naming `<field>.path` or `<field>.template`.
 */
export function compileTemplate(rule: ResourceTemplateMutation, field: string, deps: MutationDeps): CompiledRule {
  const path = compileRulePath(rule, field);
  const template = requireString(rule.template, `${field}.template`);
  const render = renderer(template, `${field}.template`, deps);
  return {
    field,
    apply(doc, other) {
      const data = {
        Value: new TemplateValue(getResult(doc, path)),
        LocalObject: asTemplateData(doc),
        RemoteObject: other === undefined ? {} : asTemplateData(other),
      };
      let out: string;
      try {
        out = render(data);
      } catch (err) {
        throw new MutationError(`${field}.template`, `failed to execute template: ${errorMessage(err)}`, {
          cause: err,
        });
      }
      return setPath(doc, path, goTrimSpace(out));
    },
  };
}

function renderer(template: string, field: string, deps: MutationDeps): (data: unknown) => string {
  const { compileTemplate: compile, checkTemplate: check, templates } = deps;
  try {
    if (compile !== undefined) {
      const compiled = compile(template);
      return (data) => compiled.execute(data);
    }
    check?.(template);
  } catch (err) {
    throw new MutationError(field, `failed to parse template: ${errorMessage(err)}`, { cause: err });
  }
  return (data) => templates.render(template, data);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const INT64_LIMIT = 2 ** 63;

/**
 * An object as upstream hands it to templates: decoded by Kubernetes, so
 * integers are int64 (printed as integers, never as `1e+06`) and other
 * numbers float64. Returns a new value; the input is not modified.
 */
function asTemplateData(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < INT64_LIMIT ? goInt(v, 'int64') : v;
  if (Array.isArray(v)) return v.map(asTemplateData);
  if (isRecord(v)) {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, asTemplateData(x)]),
    );
  }
  return v;
}

// Go's unicode.IsSpace: ASCII space characters, NEL, NBSP and the Unicode Z categories' spaces.
const GO_SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const GO_TRIM = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, 'gu');

/** Go's strings.TrimSpace (unlike String.prototype.trim, it keeps U+FEFF and removes U+0085). */
export function goTrimSpace(s: string): string {
  return s.replace(GO_TRIM, '');
}
