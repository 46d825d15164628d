/**
 * Sprig's numeric functions and the spf13/cast conversions behind them
 * (`int`, `int64`, `float64`, `add`, `max`, `round`, `until`, `seq`, the
 * decimal `…f` helpers, …). Integer results are int64 like sprig's,
 * with Go's wrap-around and truncating division.
 */
import { FunctionError } from './errors.ts';
import { formatFloat } from './float.ts';
import { sprint } from './fmt.ts';
import { fn, type TemplateFunction } from './functions.ts';
import { parseGoFloat, parseGoInteger } from './numbers.ts';
import { GoInt, goInt, withGoType } from './values.ts';

const INT64_MIN = -(1n << 63n);

/** Go's `int64(f)` on amd64: truncation, and the minimum int64 for NaN or out-of-range values. */
function floatToInt(f: number): bigint {
  if (!Number.isFinite(f) || Math.abs(f) >= 2 ** 63) return INT64_MIN;
  return BigInt(Math.trunc(f));
}

/** cast's trimZeroDecimal: "10.00" → "10"; anything else unchanged. */
function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === '.') {
      if (foundZero) return s.slice(0, i - 1);
    } else if (c === '0') {
      foundZero = true;
    } else {
      return s;
    }
  }
  return s;
}

/** cast.ToInt64 with the error ignored (0), as sprig uses it. */
export function toInt64(v: unknown): bigint {
  if (v instanceof GoInt) return v.value;
  if (typeof v === 'number') return floatToInt(v);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') return parseGoInteger(trimZeroDecimal(v), true) ?? 0n;
  return 0n;
}

/** cast.ToFloat64 with the error ignored (0). */
export function toFloat64(v: unknown): number {
  if (v instanceof GoInt) return Number(v.value);
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return parseFloatString(v);
  return 0;
}

/** Go's strconv.ParseFloat(s, 64) with the error ignored (0). */
function parseFloatString(s: string): number {
  const special: Record<string, number> = {
    inf: Infinity,
    '+inf': Infinity,
    '-inf': -Infinity,
    infinity: Infinity,
    '+infinity': Infinity,
    '-infinity': -Infinity,
    nan: NaN,
  };
  const named = special[s.toLowerCase()];
  if (named !== undefined) return named;
  if (s.includes('_') && !/^[+-]?(0[xXbBoO])?[0-9a-fA-F.pP+-]+(_[0-9a-fA-F.pP+-]+)*$/.test(s)) return 0;
  return parseGoFloat(s) ?? 0;
}

/** Go's strconv.Atoi with the error ignored (0). */
export function atoi(s: string): GoInt {
  if (!/^[+-]?\d+$/.test(s)) return goInt(0);
  const n = BigInt(s);
  return goInt(n >= INT64_MIN && n < -INT64_MIN ? n : 0n);
}

function int64(n: bigint): GoInt {
  return new GoInt('int64', n);
}

function divide(a: unknown, b: unknown, op: 'div' | 'mod'): GoInt {
  const x = toInt64(a);
  const y = toInt64(b);
  if (y === 0n) throw new FunctionError('runtime error: integer divide by zero');
  return int64(op === 'div' ? x / y : x % y);
}

function extreme(args: unknown[], pick: (a: bigint, b: bigint) => boolean): GoInt {
  let best = toInt64(args[0]);
  for (const v of args.slice(1)) {
    const n = toInt64(v);
    if (pick(n, best)) best = n;
  }
  return int64(best);
}

function extremeFloat(args: unknown[], pick: (a: number, b: number) => number): number {
  return args.slice(1).reduce<number>((acc, v) => pick(acc, toFloat64(v)), toFloat64(args[0]));
}

/** Go's math.Max / math.Min (NaN wins; +0 vs −0 ordered). */
function goMax(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return Math.max(a, b);
}

function goMin(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return Math.min(a, b);
}

/** sprig's round(a, p, [roundOn=.5]): rounds up when the fraction reaches roundOn. */
function round(a: unknown, places: GoInt, rest: unknown[]): number {
  const roundOn = typeof rest[0] === 'number' ? rest[0] : 0.5;
  const pow = 10 ** Number(places.value);
  const digit = pow * toFloat64(a);
  const frac = digit - Math.trunc(digit);
  return (frac >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

/** sprig's untilStep: integers from start towards stop (exclusive) by step. */
export function untilStep(start: bigint, stop: bigint, step: bigint): GoInt[] {
  const out: GoInt[] = [];
  if (stop < start ? step >= 0n : step <= 0n) return withGoType(out, '[]int');
  for (let i = start; stop < start ? i > stop : i < stop; i += step) out.push(goInt(i));
  return withGoType(out, '[]int');
}

/** seq's integers from `start` to `end` inclusive, counting down when end < start. */
function seqRange(start: bigint, end: bigint, step?: bigint): GoInt[] {
  const direction = end < start ? -1n : 1n;
  if (step !== undefined && direction < 0n && step > 0n) return [];
  return untilStep(start, end + direction, step ?? direction);
}

function seq(params: GoInt[]): string {
  const p = params.map((x) => x.value);
  const [a = 0n, b = 0n, c = 0n] = p;
  const ranges: Record<number, () => GoInt[]> = {
    1: () => seqRange(1n, a),
    2: () => seqRange(a, b),
    3: () => seqRange(a, c, b),
  };
  return (ranges[p.length]?.() ?? []).map((x) => x.value.toString()).join(' ');
}

// ---- decimal arithmetic (shopspring/decimal on the floats' shortest forms) -------------

interface Dec {
  mant: bigint;
  exp: number;
}

function toDecimal(v: unknown): Dec {
  const f = toFloat64(v);
  if (!Number.isFinite(f)) throw new FunctionError(`Cannot create a Decimal from ${formatFloat(f, 'g', -1)}`);
  const [mantissa = '0', exponent = '0'] = f.toExponential().split('e');
  const digits = mantissa.replace('.', '').replace('-', '');
  const fracDigits = mantissa.includes('.') ? (mantissa.split('.')[1] ?? '').length : 0;
  const mant = BigInt(digits) * (f < 0 ? -1n : 1n);
  return { mant, exp: Number(exponent) - fracDigits };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const exp = Math.min(a.exp, b.exp);
  return [a.mant * 10n ** BigInt(a.exp - exp), b.mant * 10n ** BigInt(b.exp - exp), exp];
}

function decToFloat(d: Dec): number {
  return Number(`${d.mant}e${d.exp}`);
}

function decimalOp(first: unknown, rest: unknown[], op: 'add' | 'sub' | 'mul'): number {
  let acc = toDecimal(first);
  for (const v of rest) {
    const d = toDecimal(v);
    if (op === 'mul') {
      acc = { mant: acc.mant * d.mant, exp: acc.exp + d.exp };
      continue;
    }
    const [x, y, exp] = align(acc, d);
    acc = { mant: op === 'add' ? x + y : x - y, exp };
  }
  return decToFloat(acc);
}

/** sprig's toDecimal: the value's text read as an octal int64 (0 when it is not one). */
function octal(v: unknown): GoInt {
  const m = /^([+-]?)([0-7]+)$/.exec(sprint([v]));
  if (m === null) return int64(0n);
  const n = BigInt('0o' + (m[2] ?? '0')) * (m[1] === '-' ? -1n : 1n);
  return int64(n >= INT64_MIN && n < -INT64_MIN ? n : 0n);
}

const int = (v: unknown): GoInt => v as GoInt;

/** Sprig's numeric functions with their Go signatures. */
export function numericFunctions(): [string, TemplateFunction][] {
  const maxFn = fn(['any'], (args) => extreme(args, (a, b) => a > b), 'any');
  return [
    ['add1', fn(['any'], ([a]) => int64(toInt64(a) + 1n))],
    ['add', fn([], (args) => int64(args.reduce<bigint>((acc, v) => acc + toInt64(v), 0n)), 'any')],
    ['sub', fn(['any', 'any'], ([a, b]) => int64(toInt64(a) - toInt64(b)))],
    ['div', fn(['any', 'any'], ([a, b]) => divide(a, b, 'div'))],
    ['mod', fn(['any', 'any'], ([a, b]) => divide(a, b, 'mod'))],
    ['mul', fn(['any'], (args) => int64(args.reduce<bigint>((acc, v) => acc * toInt64(v), 1n)), 'any')],
    ['max', maxFn],
    ['biggest', maxFn],
    ['min', fn(['any'], (args) => extreme(args, (a, b) => a < b), 'any')],
    ['maxf', fn(['any'], (args) => extremeFloat(args, goMax), 'any')],
    ['minf', fn(['any'], (args) => extremeFloat(args, goMin), 'any')],
    ['ceil', fn(['any'], ([a]) => Math.ceil(toFloat64(a)))],
    ['floor', fn(['any'], ([a]) => Math.floor(toFloat64(a)))],
    ['round', fn(['any', 'int'], ([a, p, ...rest]) => round(a, int(p), rest), 'float64')],
    ['int', fn(['any'], ([a]) => goInt(toInt64(a)))],
    ['int64', fn(['any'], ([a]) => int64(toInt64(a)))],
    ['float64', fn(['any'], ([a]) => toFloat64(a))],
    ['atoi', fn(['string'], ([s]) => atoi(s as string))],
    ['toDecimal', fn(['any'], ([a]) => octal(a))],
    ['seq', fn([], (args) => seq(args.map(int)), 'int')],
    [
      'until',
      fn(['int'], ([n]) => {
        const count = int(n).value;
        return untilStep(0n, count, count < 0n ? -1n : 1n);
      }),
    ],
    ['untilStep', fn(['int', 'int', 'int'], ([a, b, c]) => untilStep(int(a).value, int(b).value, int(c).value))],
    ['add1f', fn(['any'], ([a]) => decimalOp(a, [goInt(1)], 'add'))],
    ['addf', fn([], (args) => decimalOp(0, args, 'add'), 'any')],
    ['subf', fn(['any'], ([a, ...rest]) => decimalOp(a, rest, 'sub'), 'any')],
    ['mulf', fn(['any'], ([a, ...rest]) => decimalOp(a, rest, 'mul'), 'any')],
  ];
}
