// The text Go's encoding/json and strconv write, which upstream's mutation
// rules see: gjson's "raw" values, CEL and template number formatting.
import { isRecord } from '../kube/object.ts';

/**
 * Orders strings by Unicode code point, which is the byte order of their
 * UTF-8 encoding: the order Go's encoding/json writes map keys in.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y);
  }
  return a.length - b.length;
}

/** Surrogates (astral code points) sort after U+E000..U+FFFF in code point order. */
function codeUnitRank(u: number): number {
  if (u >= 0xd800 && u <= 0xdfff) return u + 0x2000;
  return u >= 0xe000 ? u - 0x800 : u;
}

/** Object keys in Go's encoding/json order, without undefined fields. */
export function sortedKeys(obj: Record<string, unknown>): string[] {
  return Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort(compareCodePoints);
}

/**
 * What Go's `json.Marshal` writes for a plain JSON value: object keys sorted,
 * `<`, `>`, `&`, U+2028 and U+2029 escaped, numbers in Go's float format
 * (which matches JavaScript's for every finite double). Undefined object
 * fields are left out and undefined array elements become null, as with
 * JSON.stringify. Throws for NaN, infinities and non-JSON values.
 */
export function goMarshal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return goQuote(v);
    case 'number':
      if (!Number.isFinite(v)) throw new Error(`json: unsupported value: ${String(v)}`);
      return String(v);
    default:
      break;
  }
  if (Array.isArray(v)) return `[${v.map((x) => goMarshal(x)).join(',')}]`;
  if (isRecord(v))
    return `{${sortedKeys(v)
      .map((k) => `${goQuote(k)}:${goMarshal(v[k])}`)
      .join(',')}}`;
  throw new Error(`json: unsupported type: ${typeof v}`);
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what needs escaping
const NEEDS_ESCAPE = /[\u0000-\u001f"\\<>&\u2028\u2029\ud800-\udfff]/;

/** A JSON string as Go's encoding/json writes it (HTML-safe). */
export function goQuote(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) out += escapeChar(ch);
  return `${out}"`;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function escapeChar(ch: string): string {
  const short = SHORT_ESCAPES[ch];
  if (short !== undefined) return short;
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || ch === '<' || ch === '>' || ch === '&') return `\\u00${cp.toString(16).padStart(2, '0')}`;
  if (cp === 0x2028 || cp === 0x2029) return `\\u${cp.toString(16)}`;
  if (cp >= 0xd800 && cp <= 0xdfff) return '\\ufffd';
  return ch;
}

/** Go's `strconv.FormatFloat(x, 'f', -1, 64)`: shortest round-trip digits, never an exponent. */
export function formatFloatF(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa = '', exponent = '0'] = x.toExponential().split('e');
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const point = Number(exponent) + 1;
  let body: string;
  if (point <= 0) body = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) body = digits + '0'.repeat(point - digits.length);
  else body = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${body}` : body;
}

/** Go's `strconv.FormatFloat(x, 'g', -1, 64)` (also fmt's `%g` and `%v`): exponent form below 1e-4 and from 1e6. */
export function formatFloatG(x: number): string {
  if (!Number.isFinite(x) || x === 0) return formatFloatF(x);
  const [mantissa = '', exponent = '0'] = Math.abs(x).toExponential().split('e');
  const exp = Number(exponent);
  if (exp >= -4 && exp < 6) return formatFloatF(x);
  const digits = String(Math.abs(exp)).padStart(2, '0');
  return `${x < 0 ? '-' : ''}${mantissa}e${exp < 0 ? '-' : '+'}${digits}`;
}
