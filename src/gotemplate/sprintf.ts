/**
 * Go's fmt.Sprintf for templates' `printf`: the format string's flags, argument
 * indexes (`%[2]d`), `*` widths and precisions, and Go's in-band errors
 * (`%!(NOVERB)`, `%!d(BADINDEX)`, `%!(EXTRA …)`). Printing one operand is fmt.ts's job.
 */
import { plainSpec, printArg, type Spec } from './fmt.ts';
import { GoInt, typeName } from './values.ts';

interface Cursor {
  format: string;
  i: number;
  argNum: number;
  reordered: boolean;
  goodArgNum: boolean;
}

function parseNumber(c: Cursor): number | undefined {
  const m = /^\d+/.exec(c.format.slice(c.i));
  if (m === null) return undefined;
  c.i += m[0].length;
  return Number(m[0]);
}

function parseFlags(c: Cursor, spec: Spec): void {
  for (; c.i < c.format.length; c.i++) {
    const ch = c.format[c.i];
    if (ch === '#') spec.sharp = true;
    else if (ch === '0') spec.zero = !spec.minus;
    else if (ch === '+') spec.plus = true;
    else if (ch === '-') {
      spec.minus = true;
      spec.zero = false;
    } else if (ch === ' ') spec.space = true;
    else return;
  }
}

function parseArgIndex(c: Cursor, numArgs: number): void {
  if (c.format[c.i] !== '[') return;
  c.reordered = true;
  const close = c.format.indexOf(']', c.i);
  const index = close < 0 ? NaN : Number(c.format.slice(c.i + 1, close));
  if (close < 0 || !/^\d+$/.test(c.format.slice(c.i + 1, close)) || index < 1 || index > numArgs) {
    c.goodArgNum = false;
    c.i = close < 0 ? c.format.length : close + 1;
    return;
  }
  c.argNum = index - 1;
  c.i = close + 1;
}

function intArg(args: readonly unknown[], c: Cursor): number | undefined {
  const arg = args[c.argNum];
  if (c.argNum >= args.length) return undefined;
  c.argNum++;
  if (!(arg instanceof GoInt)) return undefined;
  const n = Number(arg.value);
  return Math.abs(n) > 1e6 ? undefined : n;
}

function parseWidth(c: Cursor, spec: Spec, args: readonly unknown[]): string {
  parseArgIndex(c, args.length);
  if (c.format[c.i] !== '*') {
    spec.wid = parseNumber(c);
    return '';
  }
  c.i++;
  const wid = intArg(args, c);
  if (wid === undefined) return '%!(BADWIDTH)';
  spec.wid = Math.abs(wid);
  if (wid < 0) {
    spec.minus = true;
    spec.zero = false;
  }
  return '';
}

function parsePrecision(c: Cursor, spec: Spec, args: readonly unknown[]): string {
  if (c.format[c.i] !== '.') return '';
  c.i++;
  parseArgIndex(c, args.length);
  if (c.format[c.i] === '*') {
    c.i++;
    const prec = intArg(args, c);
    spec.prec = prec !== undefined && prec >= 0 ? prec : undefined;
    return prec === undefined ? '%!(BADPREC)' : '';
  }
  spec.prec = parseNumber(c) ?? 0;
  return '';
}

function formatOne(c: Cursor, args: readonly unknown[]): string {
  const spec = plainSpec();
  parseFlags(c, spec);
  let out = parseWidth(c, spec, args);
  out += parsePrecision(c, spec, args);
  parseArgIndex(c, args.length);
  if (c.i >= c.format.length) return out + '%!(NOVERB)';
  const verb = String.fromCodePoint(c.format.codePointAt(c.i) ?? 0);
  c.i += verb.length;
  if (verb === '%') return out + '%';
  if (!c.goodArgNum) return out + `%!${verb}(BADINDEX)`;
  if (c.argNum >= args.length) return out + `%!${verb}(MISSING)`;
  if (verb === 'v') {
    spec.sharpV = spec.sharp;
    spec.sharp = false;
    spec.plusV = spec.plus;
    spec.plus = false;
  }
  const arg = args[c.argNum];
  c.argNum++;
  return out + printArg(arg, verb, spec, 0);
}

/** Go's fmt.Sprintf. */
export function sprintf(format: string, args: readonly unknown[]): string {
  const c: Cursor = { format, i: 0, argNum: 0, reordered: false, goodArgNum: true };
  let out = '';
  while (c.i < format.length) {
    const next = format.indexOf('%', c.i);
    if (next < 0) {
      out += format.slice(c.i);
      break;
    }
    out += format.slice(c.i, next);
    c.i = next + 1;
    c.goodArgNum = true;
    out += formatOne(c, args);
  }
  if (!c.reordered && c.argNum < args.length) {
    const extra = args
      .slice(c.argNum)
      .map((a) => (a === null || a === undefined ? '<nil>' : `${typeName(a)}=${printArg(a, 'v', plainSpec(), 0)}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}
