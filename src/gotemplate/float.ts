/**
 * Go's strconv.FormatFloat for float64 in the 'e', 'f' and 'g' formats.
 * Shortest formatting (precision -1) uses JavaScript's shortest round-trip
 * digits, which are the same digits Go picks; fixed precisions round the
 * exact binary value half-to-even, as Go's decimal conversion does.
 */

/** A decimal digit string: value = 0.DIGITS × 10^dp; no leading or trailing zeros. */
interface Decimal {
  digits: string;
  dp: number;
}

/** The float formats we support (`E` and `G` are the upper-case forms). */
export type FloatFormat = 'e' | 'E' | 'f' | 'g' | 'G';

function trimZeros(d: Decimal): Decimal {
  const lead = /^0*/.exec(d.digits)?.[0].length ?? 0;
  const digits = d.digits.slice(lead).replace(/0+$/, '');
  return digits === '' ? { digits: '', dp: 0 } : { digits, dp: d.dp - lead };
}

/** The shortest digits that round-trip to `x` (x finite and non-negative). */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const [mantissa = '', exponent = '0'] = x.toExponential().split('e');
  return trimZeros({ digits: mantissa.replace('.', ''), dp: Number(exponent) + 1 });
}

/** The exact decimal expansion of `x` (x finite and non-negative). */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biasedExp = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mant = biasedExp === 0 ? fraction : fraction | (1n << 52n);
  const exp = (biasedExp === 0 ? 1 : biasedExp) - 1075;
  if (exp >= 0) {
    const digits = (mant << BigInt(exp)).toString();
    return trimZeros({ digits, dp: digits.length });
  }
  const digits = (mant * 5n ** BigInt(-exp)).toString();
  return trimZeros({ digits, dp: digits.length + exp });
}

/** Rounds to `nd` significant digits, half to even (Go's decimal.Round). */
function roundDecimal(d: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= d.digits.length) return d;
  const next = d.digits.charCodeAt(nd) - 48;
  const exactlyHalf = next === 5 && nd + 1 === d.digits.length;
  const up = exactlyHalf ? nd > 0 && (d.digits.charCodeAt(nd - 1) - 48) % 2 === 1 : next >= 5;
  if (!up) return trimZeros({ digits: d.digits.slice(0, nd), dp: d.dp });
  let i = nd - 1;
  while (i >= 0 && d.digits[i] === '9') i--;
  if (i < 0) return { digits: '1', dp: d.dp + 1 };
  const bumped = d.digits.slice(0, i) + String.fromCharCode(d.digits.charCodeAt(i) + 1);
  return trimZeros({ digits: bumped, dp: d.dp });
}

function formatExp(d: Decimal, prec: number, upper: boolean): string {
  const first = d.digits[0] ?? '0';
  let out = first;
  if (prec > 0) out += '.' + d.digits.slice(1, prec + 1).padEnd(prec, '0');
  const exp = d.digits === '' ? 0 : d.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  return `${out}${upper ? 'E' : 'e'}${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function formatFixed(d: Decimal, prec: number): string {
  let out = d.dp > 0 ? d.digits.slice(0, d.dp).padEnd(d.dp, '0') : '0';
  if (prec > 0) {
    let frac = '';
    for (let i = 0; i < prec; i++) {
      const j = d.dp + i;
      frac += (j >= 0 ? d.digits[j] : undefined) ?? '0';
    }
    out += '.' + frac;
  }
  return out;
}

function formatGeneral(d: Decimal, prec: number, shortest: boolean, upper: boolean): string {
  let eprec = prec;
  if (eprec > d.digits.length && d.digits.length >= d.dp) eprec = d.digits.length;
  if (shortest) eprec = 6;
  const exp = d.dp - 1;
  if (exp < -4 || exp >= eprec) {
    return formatExp(d, Math.min(prec, d.digits.length) - 1, upper);
  }
  return formatFixed(d, Math.max((prec > d.dp ? d.digits.length : prec) - d.dp, 0));
}

function decimalFor(x: number, format: FloatFormat, prec: number): { d: Decimal; prec: number } {
  if (prec < 0) {
    const d = shortestDecimal(x);
    const shortestPrec =
      format === 'f'
        ? Math.max(d.digits.length - d.dp, 0)
        : format === 'e' || format === 'E'
          ? d.digits.length - 1
          : d.digits.length;
    return { d, prec: shortestPrec };
  }
  const exact = exactDecimal(x);
  switch (format) {
    case 'e':
    case 'E':
      return { d: roundDecimal(exact, prec + 1), prec };
    case 'f':
      return { d: roundDecimal(exact, exact.dp + prec), prec };
    default: {
      const p = prec === 0 ? 1 : prec;
      return { d: roundDecimal(exact, p), prec: p };
    }
  }
}

/**
 * Go's `strconv.FormatFloat(x, format, prec, 64)`; `prec` -1 means the
 * shortest representation that round-trips.
 */
export function formatFloat(x: number, format: FloatFormat, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const { d, prec: p } = decimalFor(Math.abs(x), format, prec);
  let body: string;
  switch (format) {
    case 'e':
    case 'E':
      body = formatExp(d, p, format === 'E');
      break;
    case 'f':
      body = formatFixed(d, p);
      break;
    default:
      body = formatGeneral(d, p, prec < 0, format === 'G');
  }
  return neg ? '-' + body : body;
}

/**
 * Go's encoding/json number format: like ES6 `Number.prototype.toString`,
 * exponent form below 1e-6 and from 1e21, exponents without leading zeros.
 */
export function formatFloatJSON(x: number): string {
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    return formatFloat(x, 'e', -1).replace(/e([+-])0(\d)$/, 'e$1$2');
  }
  return formatFloat(x, 'f', -1);
}

/** The sign, 53-bit mantissa and binary exponent of `x` as Go's genericFtoa sees them. */
function floatBits(x: number): { neg: boolean; mant: bigint; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp = biased;
  if (biased === 0) exp++;
  else mant |= 1n << 52n;
  return { neg: bits >> 63n === 1n, mant, exp: exp - 1023 };
}

/** Go's `%b` of a float64: decimal mantissa, binary exponent (`6755399441055744p-52`). */
export function formatFloatBinary(x: number): string {
  if (!Number.isFinite(x)) return formatFloat(x, 'g', -1);
  const { neg, mant, exp } = floatBits(x);
  const e = exp - 52;
  return `${neg ? '-' : ''}${mant}p${e >= 0 ? '+' : ''}${e}`;
}

/** Go's `%x` / `%X` of a float64 with the shortest precision (`0x1.8p+00`). */
export function formatFloatHex(x: number, upper: boolean): string {
  if (!Number.isFinite(x)) return formatFloat(x, 'g', -1);
  const { neg, mant: m, exp: e } = floatBits(x);
  const mask = (1n << 64n) - 1n;
  let mant = (m << 8n) & mask;
  let exp = m === 0n ? 0 : e;
  while (mant !== 0n && (mant & (1n << 60n)) === 0n) {
    mant = (mant << 1n) & mask;
    exp--;
  }
  let out = `${neg ? '-' : ''}0x${(mant >> 60n) & 1n}`;
  mant = (mant << 4n) & mask;
  if (mant !== 0n) {
    out += '.';
    while (mant !== 0n) {
      out += ((mant >> 60n) & 15n).toString(16);
      mant = (mant << 4n) & mask;
    }
  }
  const digits = Math.abs(exp) < 100 ? 2 : Math.abs(exp) < 1000 ? 3 : 4;
  out += `p${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(digits, '0')}`;
  return upper ? out.toUpperCase() : out;
}
