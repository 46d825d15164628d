/**
 * The answer to a gjson `Get` (GjsonResult, with gjson's accessors) and the
 * Go parsing rules its accessors and queries follow. Evaluation of paths
 * lives in json-path.ts.
 */
import { formatFloatF, goMarshal } from './go-json.ts';
import type { GjsonType, Location } from './json-path-syntax.ts';

/** The answer to a gjson `Get`, with gjson's accessors. */
export class GjsonResult {
  readonly exists: boolean;
  readonly type: GjsonType;
  /** gjson's `Value()`: the plain value (numbers are doubles); null when missing. */
  readonly value: unknown;
  /** Where the value lives; undefined for missing and computed values. */
  readonly location: Location | undefined;
  /** For results gathered from several array elements: where each one lives. */
  readonly locations: readonly (Location | undefined)[] | undefined;
  #raw: string | undefined;

  constructor(init: {
    exists: boolean;
    type: GjsonType;
    value: unknown;
    raw?: string;
    location?: Location | undefined;
    locations?: readonly (Location | undefined)[] | undefined;
  }) {
    this.exists = init.exists;
    this.type = init.type;
    this.value = init.value;
    this.location = init.location;
    this.locations = init.locations;
    this.#raw = init.raw;
  }

  /** gjson's `Raw`: the value's JSON as Go's encoding/json writes it ('' when missing). */
  get raw(): string {
    this.#raw ??= this.exists ? goMarshal(this.value) : '';
    return this.#raw;
  }

  /** gjson's `String()`: strings as-is, numbers as decimal text, objects/arrays as raw JSON, null/missing as ''. */
  string(): string {
    switch (this.type) {
      case 'String':
        return typeof this.value === 'string' ? this.value : '';
      case 'Number':
        return /^-?[0-9]*$/.test(this.raw) ? this.raw : formatFloatF(this.num());
      case 'JSON':
        return this.raw;
      case 'True':
        return 'true';
      case 'False':
        return 'false';
      default:
        return '';
    }
  }

  /** gjson's `Num` field: the number for Number results, else 0. */
  num(): number {
    return typeof this.value === 'number' ? this.value : 0;
  }

  /** gjson's `Int()`. */
  int(): number {
    switch (this.type) {
      case 'True':
        return 1;
      case 'String':
        return /^-?[0-9]+$/.test(this.string()) ? Number(this.string()) : 0;
      case 'Number':
        return goInt64(this.num());
      default:
        return 0;
    }
  }

  /** gjson's `Float()`. */
  float(): number {
    switch (this.type) {
      case 'True':
        return 1;
      case 'String':
        return parseGoFloat(this.string());
      case 'Number':
        return this.num();
      default:
        return 0;
    }
  }

  /** gjson's `Bool()`. */
  bool(): boolean {
    switch (this.type) {
      case 'True':
        return true;
      case 'String':
        return parseGoBool(this.string().toLowerCase()) === true;
      case 'Number':
        return this.num() !== 0;
      default:
        return false;
    }
  }
}

export const MISSING = new GjsonResult({ exists: false, type: 'Null', value: null, raw: '' });

/** Go's int64(f) on amd64: truncation, and the minimum int64 when out of range. */
export function goInt64(f: number): number {
  return f >= -(2 ** 63) && f < 2 ** 63 ? Math.trunc(f) : -(2 ** 63);
}

/** Go's strconv.ParseBool; undefined when the text is not a boolean. */
export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** Go's strconv.ParseFloat for decimal text, infinities and NaN; 0 when it does not parse. */
export function parseGoFloat(s: string): number {
  if (/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s)) return Number(s);
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (special === null) return 0;
  if ((special[2] ?? '').toLowerCase() === 'nan') return NaN;
  return special[1] === '-' ? -Infinity : Infinity;
}

/** gjson's result for a plain value (what gjson's `Array()`/`Map()` give for each element). */
export function gjsonResultOf(v: unknown): GjsonResult {
  return resultOf(v, []);
}

export function resultOf(v: unknown, location: Location): GjsonResult {
  if (v === null || v === undefined)
    return new GjsonResult({ exists: true, type: 'Null', value: null, raw: 'null', location });
  if (v === true) return new GjsonResult({ exists: true, type: 'True', value: true, raw: 'true', location });
  if (v === false) return new GjsonResult({ exists: true, type: 'False', value: false, raw: 'false', location });
  if (typeof v === 'number') return new GjsonResult({ exists: true, type: 'Number', value: v, location });
  if (typeof v === 'string') return new GjsonResult({ exists: true, type: 'String', value: v, location });
  return new GjsonResult({ exists: true, type: 'JSON', value: v, location });
}

export function countResult(n: number): GjsonResult {
  return new GjsonResult({ exists: true, type: 'Number', value: n, raw: String(n) });
}

/** gjson's result for values gathered from several elements (`#.x`, `#(...)#`). */
export function gatheredResult(parts: readonly GjsonResult[]): GjsonResult {
  return new GjsonResult({
    exists: true,
    type: 'JSON',
    value: parts.map((p) => p.value),
    raw: `[${parts.map((p) => p.raw).join(',')}]`,
    locations: parts.map((p) => (p.locations === undefined ? p.location : undefined)),
  });
}
