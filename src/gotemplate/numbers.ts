/**
 * Numeric literals of Go templates: every interpretation (int, uint, float)
 * Go's parser records for a literal, using Go's literal syntax (base
 * prefixes, legacy octal, `_` separators, hex floats, character constants).
 */
import type { ItemType } from './tokens.ts';
import type { NumberNode } from './nodes.ts';
import { UnquoteError, quoteString, unquoteChar } from './quote.ts';

/** A parsed literal, without its position. */
export type NumberValue = Omit<NumberNode, 'pos'>;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

const DIGITS: Record<number, RegExp> = {
  2: /^[01]+$/,
  8: /^[0-7]+$/,
  10: /^[0-9]+$/,
  16: /^[0-9a-fA-F]+$/,
};

/** Go's underscoreOK: `_` only between digits or right after a base prefix. */
function underscoresOK(body: string, prefixed: boolean): boolean {
  if (!body.includes('_')) return true;
  if (body.startsWith('_') && !prefixed) return false;
  return !body.endsWith('_') && !body.includes('__');
}

/** Splits a base-0 literal into its base and digits (`0x1F` → 16, `1F`; legacy `017` → 8, `17`). */
function splitBase(s: string): { base: number; body: string; prefixed: boolean } {
  const prefix = /^0([xXoObB])/.exec(s);
  if (prefix !== null) {
    const bases: Record<string, number> = { x: 16, o: 8, b: 2 };
    return { base: bases[(prefix[1] ?? 'x').toLowerCase()] ?? 10, body: s.slice(2), prefixed: true };
  }
  if (s.length > 1 && s.startsWith('0')) return { base: 8, body: s.slice(1), prefixed: true };
  return { base: 10, body: s, prefixed: false };
}

const BASE_PREFIXES: Record<number, string> = { 2: '0b', 8: '0o', 16: '0x', 10: '' };

/** Go's strconv.ParseUint/ParseInt with base 0; undefined when invalid or out of range. */
export function parseGoInteger(text: string, signed: boolean): bigint | undefined {
  const hasSign = signed && (text.startsWith('+') || text.startsWith('-'));
  const { base, body, prefixed } = splitBase(hasSign ? text.slice(1) : text);
  if (!underscoresOK(body, prefixed)) return undefined;
  const digits = body.replaceAll('_', '');
  if (!(DIGITS[base] ?? /^$/).test(digits)) return undefined;
  const magnitude = BigInt((BASE_PREFIXES[base] ?? '') + digits);
  return inRange(hasSign && text.startsWith('-') ? -magnitude : magnitude, signed);
}

function inRange(value: bigint, signed: boolean): bigint | undefined {
  const ok = signed ? value >= INT64_MIN && value <= INT64_MAX : value <= UINT64_MAX;
  return ok ? value : undefined;
}

function parseHexFloat(s: string): number | undefined {
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
  if (m === null) return undefined;
  const [, sign = '', whole = '', frac = '', exp = '0'] = m;
  if (whole === '' && frac === '') return undefined;
  const mantissa = parseInt(whole + frac || '0', 16);
  const value = mantissa * 2 ** (Number(exp) - 4 * frac.length);
  return sign === '-' ? -value : value;
}

/** Go's strconv.ParseFloat on a Go literal; undefined when invalid. */
export function parseGoFloat(text: string): number | undefined {
  const s = text.replaceAll('_', '');
  if (/^[+-]?0[xX]/.test(s)) return parseHexFloat(s);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  const value = Number(s);
  return Number.isNaN(value) ? undefined : value;
}

function fromInteger(text: string): NumberValue | undefined {
  const u = parseGoInteger(text, false);
  const i = parseGoInteger(text, true);
  if (i === undefined && u === undefined) return undefined;
  const isInt = i !== undefined;
  const value = i ?? u ?? 0n;
  return {
    type: 'number',
    text,
    isInt,
    isUint: u !== undefined || i === 0n,
    isFloat: true,
    int64: i ?? 0n,
    float64: Number(value),
  };
}

function fromFloat(text: string): NumberValue | string {
  const f = parseGoFloat(text);
  if (f === undefined) return `illegal number syntax: ${quoteString(text)}`;
  if (!/[.eEpP]/.test(text)) return `integer overflow: ${quoteString(text)}`;
  const integral = Number.isInteger(f);
  const asInt = integral ? BigInt(f) : 0n;
  const isInt = integral && asInt >= INT64_MIN && asInt <= INT64_MAX;
  const isUint = integral && asInt >= 0n && asInt <= UINT64_MAX;
  return { type: 'number', text, isInt, isUint, isFloat: true, int64: isInt ? asInt : 0n, float64: f };
}

function fromChar(text: string): NumberValue | string {
  try {
    const cp = unquoteChar(text);
    return { type: 'number', text, isInt: true, isUint: true, isFloat: true, int64: BigInt(cp), float64: cp };
  } catch (err) {
    if (err instanceof UnquoteError) return err.message;
    throw err;
  }
}

/**
 * Interprets a number, character or complex literal the way Go's parser
 * does; returns Go's error message for an invalid literal. Complex numbers
 * are not supported.
 */
export function parseNumber(text: string, type: ItemType): NumberValue | string {
  if (type === 'charConstant') return fromChar(text);
  if (type === 'complex' || text.endsWith('i')) return `complex number ${quoteString(text)} is not supported`;
  return fromInteger(text) ?? fromFloat(text);
}
