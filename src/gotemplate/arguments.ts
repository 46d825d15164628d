/**
 * Go's argument rules for template function calls: which computed values a
 * parameter type accepts (reflect's assignability on our value model), the
 * zero value passed for nil or "no value", and how literals are read for a
 * parameter type (`3` is fine for an int, `"3"` is not).
 */
import { ExecFailure } from './errors.ts';
import { goTypeName, type ParamType } from './functions.ts';
import type { BoolNode, NumberNode, StringNode } from './nodes.ts';
import { nodeString } from './nodes.ts';
import { GoInt, goInt, isGoMap, mapType, nilSlice, sliceType, typeName } from './values.ts';

/** A literal argument. */
export type LiteralNode = BoolNode | NumberNode | StringNode;

/** Marks a type that has no nil (string, numbers, bool). */
export const CANNOT_BE_NIL = Symbol('cannotBeNil');

/** Marks a literal that does not fit the parameter type. */
export const CANNOT_CONVERT = Symbol('cannotConvert');

/** The zero value Go passes for nil / no value as `type`, or {@link CANNOT_BE_NIL}. */
export function zeroOf(type: ParamType | undefined): unknown {
  switch (type) {
    case undefined:
    case 'value':
      return undefined;
    case 'any':
      return null;
    case '[]string':
      return nilSlice('[]string');
    case '[]any':
      return nilSlice();
    case 'map':
      return Object.freeze({});
    default:
      return CANNOT_BE_NIL;
  }
}

const ACCEPTS: Record<ParamType, (value: unknown) => boolean> = {
  value: () => true,
  any: () => true,
  string: (v) => typeof v === 'string',
  float64: (v) => typeof v === 'number',
  bool: (v) => typeof v === 'boolean',
  int: (v) => v instanceof GoInt && v.kind === 'int',
  int64: (v) => v instanceof GoInt && v.kind === 'int64',
  '[]string': (v) => Array.isArray(v) && sliceType(v) === '[]string',
  '[]any': (v) => Array.isArray(v) && sliceType(v) === '[]interface {}',
  map: (v) => isGoMap(v) && mapType(v) === 'map[string]interface {}',
};

/** reflect's AssignableTo for our values: exact Go types, no conversions. */
function assignable(value: unknown, type: ParamType): boolean {
  return ACCEPTS[type](value);
}

/**
 * Go's validateType on our values: the value to pass for a parameter of
 * `type` (`undefined` = no type check).
 *
 * @throws ExecFailure with Go's message when the value does not fit.
 */
export function checkValue(value: unknown, type: ParamType | undefined): unknown {
  if (type === undefined || type === 'value') return value;
  if (value === undefined) {
    const zero = zeroOf(type);
    if (zero === CANNOT_BE_NIL) throw new ExecFailure(`invalid value; expected ${goTypeName(type)}`);
    return zero;
  }
  if (value === null) {
    if (type === 'any') return null;
    throw new ExecFailure(`wrong type for value; expected ${goTypeName(type)}; got interface {}`);
  }
  if (!assignable(value, type)) {
    throw new ExecFailure(`wrong type for value; expected ${goTypeName(type)}; got ${typeName(value)}`);
  }
  return value;
}

/** The value of a bool or string literal (numbers need Go's ideal-constant rules, see the evaluator). */
export function literalValue(node: BoolNode | StringNode): unknown {
  return node.type === 'bool' ? node.value : node.text;
}

/** A literal read as a parameter of a concrete `type`, or {@link CANNOT_CONVERT}. */
export function convertLiteral(type: ParamType, node: LiteralNode): unknown {
  switch (type) {
    case 'bool':
      return node.type === 'bool' ? node.value : CANNOT_CONVERT;
    case 'string':
      return node.type === 'string' ? node.text : CANNOT_CONVERT;
    case 'float64':
      return node.type === 'number' && node.isFloat ? node.float64 : CANNOT_CONVERT;
    case 'int':
    case 'int64':
      return node.type === 'number' && node.isInt ? goInt(node.int64, type) : CANNOT_CONVERT;
    default:
      return CANNOT_CONVERT;
  }
}

/** Go's message for a literal that does not fit `type`. */
export function literalMismatch(type: ParamType, node: LiteralNode): string {
  const expected: Partial<Record<ParamType, string>> = {
    bool: 'bool',
    string: 'string',
    float64: 'float',
    int: 'integer',
    int64: 'integer',
  };
  const what = expected[type];
  if (what === undefined) return `can't handle ${nodeString(node)} for arg of type ${goTypeName(type)}`;
  return `expected ${what}; found ${nodeString(node)}`;
}
