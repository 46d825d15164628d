/**
 * Values crossing between a `cel` rule's JSON documents and CEL: plain JSON
 * as CEL input (ints where Kubernetes would decode them) and CEL results
 * back as plain JSON (ints and uints as numbers, bytes as base64,
 * timestamps and durations in cel-go's `string()` form; what JSON cannot
 * hold is a MutationError). The time formatting is shared with the
 * cel-go-compatible `string()` overloads in cel.ts.
 */
import type { CelInput, CelValue } from '@bufbuild/cel';
import { isRecord } from '../../kube/object.ts';
import { formatFloatF } from '../../gjson/go-json.ts';
import { celLibrary } from './cel-library.ts';
import { MutationError } from './types.ts';

export const TIMESTAMP = 'google.protobuf.Timestamp';
export const DURATION = 'google.protobuf.Duration';

const INT64_LIMIT = 2 ** 63;

/**
 * Plain JSON as CEL input. With `ints`, integral numbers within int64 become
 * CEL ints (how Kubernetes decodes objects); without, every number is a
 * double (how gjson's `Value()` hands `value` over).
 */
export function toCel(v: unknown, ints: boolean): CelInput {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'number':
      return ints && Number.isInteger(v) && Math.abs(v) < INT64_LIMIT ? BigInt(v) : v;
    case 'string':
    case 'boolean':
      return v;
    default:
      break;
  }
  if (Array.isArray(v)) return v.map((x) => toCel(x, ints));
  if (isRecord(v)) {
    return new Map(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, toCel(x, ints)]),
    );
  }
  throw new Error(`cannot use a ${typeof v} as a CEL value`);
}

/** A CEL result as plain JSON; throws MutationError for what JSON cannot hold. */
export function fromCel(v: CelValue, field: string): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new MutationError(field, `cannot represent ${formatFloatF(v)} in JSON`);
    return v;
  }
  const { isCelUint, isCelList, isCelMap, isCelType } = celLibrary();
  if (isCelUint(v)) return Number(v.value);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (isCelList(v)) return [...v].map((x) => fromCel(x, field));
  if (isCelMap(v)) return mapFromCel(v, field);
  if (isCelType(v)) throw new MutationError(field, `cannot represent the CEL type ${v.name} in JSON`);
  return messageFromCel(v, field);
}

function mapFromCel(m: ReadonlyMap<unknown, CelValue>, field: string): Record<string, unknown> {
  return Object.fromEntries(
    [...m].map(([k, x]) => {
      if (typeof k !== 'string') throw new MutationError(field, 'cannot represent a map with non-string keys in JSON');
      return [k, fromCel(x, field)];
    }),
  );
}

export interface SecondsNanos {
  seconds: bigint;
  nanos: number;
}

type MessageLike = Partial<SecondsNanos> & {
  $typeName?: string;
  message?: Partial<SecondsNanos>;
  desc?: { typeName?: string };
};

/** The seconds and nanos of a Timestamp or Duration, as a reflected or a plain protobuf message. */
export function secondsNanos(v: unknown): SecondsNanos {
  const m = v as MessageLike | null;
  const fields = m?.message ?? m;
  return { seconds: fields?.seconds ?? 0n, nanos: fields?.nanos ?? 0 };
}

/** Timestamps and durations (protobuf messages here) in cel-go's `string()` form. */
function messageFromCel(v: object, field: string): string {
  const m = v as MessageLike;
  const name = m.desc?.typeName ?? m.$typeName;
  if (name === TIMESTAMP) return formatTimestamp(secondsNanos(v));
  if (name === DURATION) return formatDuration(secondsNanos(v));
  throw new MutationError(field, `cannot represent a CEL ${name ?? 'value'} in JSON`);
}

/** cel-go's duration string: seconds with only the needed decimals, then `s`. */
export function formatDuration(d: SecondsNanos): string {
  return `${formatFloatF(Number(d.seconds) + d.nanos / 1e9)}s`;
}

/** Go's time.RFC3339Nano of a UTC instant: fraction without trailing zeros, `Z`. */
export function formatTimestamp(t: SecondsNanos): string {
  const base = new Date(Number(t.seconds) * 1000).toISOString().slice(0, 19);
  const fraction = t.nanos === 0 ? '' : `.${String(t.nanos).padStart(9, '0').replace(/0+$/, '')}`;
  return `${base}${fraction}Z`;
}
