/**
 * Go's encoding/json as sprig's `toJson`, `toPrettyJson` and `toRawJson`
 * use it: map keys sorted, `<`, `>`, `&` escaped unless raw, floats in
 * Go's shortest form, nil slices as `null`.
 */
import { FunctionError } from './errors.ts';
import { formatFloatJSON } from './float.ts';
import { GoInt, isGoMap, isNilSlice, sortedKeys } from './values.ts';

/** Encoder options: HTML escaping and the indent unit (`''` = compact). */
interface JSONOptions {
  escapeHTML: boolean;
  indent: string;
}

const SHORT: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function escapeChar(ch: string, escapeHTML: boolean): string {
  const short = SHORT[ch];
  if (short !== undefined) return short;
  const code = ch.codePointAt(0) ?? 0;
  const html = escapeHTML && (ch === '<' || ch === '>' || ch === '&');
  if (code < 0x20 || html || code === 0x2028 || code === 0x2029) return '\\u' + code.toString(16).padStart(4, '0');
  return code >= 0xd800 && code < 0xe000 ? '\\ufffd' : ch;
}

function encodeString(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (const ch of s) out += escapeChar(ch, escapeHTML);
  return out + '"';
}

function encodeFloat(x: number): string {
  if (!Number.isFinite(x))
    throw new FunctionError(`json: unsupported value: ${Number.isNaN(x) ? 'NaN' : x > 0 ? '+Inf' : '-Inf'}`);
  return formatFloatJSON(x);
}

function structFields(value: object): [string, unknown][] {
  return Object.entries(value).filter(([, v]) => typeof v !== 'function');
}

/** Joins encoded members between `brackets` (e.g. `[]`), indented when asked for. */
function encodeContainer(brackets: string, parts: string[], opts: JSONOptions, depth: number): string {
  const [open = '', close = ''] = brackets;
  if (parts.length === 0) return open + close;
  if (opts.indent === '') return open + parts.join(',') + close;
  const inner = '\n' + opts.indent.repeat(depth + 1);
  return open + inner + parts.join(',' + inner) + '\n' + opts.indent.repeat(depth) + close;
}

function encode(value: unknown, opts: JSONOptions, depth: number): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return encodeString(value, opts.escapeHTML);
  if (typeof value === 'number') return encodeFloat(value);
  if (typeof value === 'boolean') return String(value);
  if (value instanceof GoInt) return value.value.toString();
  if (typeof value !== 'object') throw new FunctionError(`json: unsupported type: ${typeof value}`);
  const sep = opts.indent === '' ? ':' : ': ';
  if (Array.isArray(value)) {
    if (isNilSlice(value)) return 'null';
    return encodeContainer(
      '[]',
      value.map((v) => encode(v, opts, depth + 1)),
      opts,
      depth,
    );
  }
  const entries: [string, unknown][] = isGoMap(value)
    ? sortedKeys(value).map((k) => [k, value[k]])
    : structFields(value);
  const parts = entries.map(([k, v]) => encodeString(k, opts.escapeHTML) + sep + encode(v, opts, depth + 1));
  return encodeContainer('{}', parts, opts, depth);
}

/** Go's json.Marshal (`escapeHTML`) or a json.Encoder without HTML escaping. */
export function marshalJSON(value: unknown, escapeHTML = true): string {
  return encode(value, { escapeHTML, indent: '' }, 0);
}

/** Go's json.MarshalIndent(value, "", "  "). */
export function marshalIndentJSON(value: unknown): string {
  return encode(value, { escapeHTML: true, indent: '  ' }, 0);
}

/**
 * Go's json.Unmarshal into `any`: objects become maps, numbers float64.
 *
 * @throws FunctionError with a message when `text` is not valid JSON.
 */
export function unmarshalJSON(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new FunctionError(err instanceof Error ? err.message : String(err));
  }
}
