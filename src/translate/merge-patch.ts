import { isRecord } from '../kube/object.ts';
import { own, setOwn } from './own-property.ts';

/**
 * JSON merge patches (RFC 7386) as the spec sync uses them: a two-way diff,
 * its application, and the three-way variant that keeps fields the
 * destination's owners changed. Documents are plain JSON data; inside objects
 * a `null` or `undefined` value counts as an absent key (a merge patch cannot
 * set a value to null: null means "delete"). Arrays are atomic.
 */

/** A path of object keys from the document root, e.g. `['spec', 'image']`. */
export type JsonPath = readonly string[];

/** Options of {@link threeWayMergePatch}. */
export interface ThreeWayOptions {
  /**
   * Which drifted paths to revert (see {@link threeWayMergePatch}): `true`
   * (default) all of them, `false` none (upstream's behaviour), or a predicate
   * over the leaf path.
   */
  revertDrift?: boolean | ((path: JsonPath) => boolean);
}

function isAbsent(v: unknown): boolean {
  return v === undefined || v === null;
}

/** A copy of a JSON value that is not an object: arrays are cloned, scalars need no copy. */
function copyValue(v: unknown): unknown {
  return typeof v === 'object' && v !== null ? structuredClone(v) : v;
}

function presentKeys(r: Record<string, unknown>): string[] {
  return Object.keys(r).filter((k) => !isAbsent(r[k]));
}

/**
 * Deep equality of JSON data: objects compare by their present keys (absent
 * ≡ null ≡ undefined inside objects), arrays element by element, scalars with
 * `===`.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && arraysEqual(a, b);
  return isRecord(a) && isRecord(b) && recordsEqual(a, b);
}

function arraysEqual(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
  return true;
}

function recordsEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  // Loops rather than filtered key lists: this runs on every field of every pass.
  let present = 0;
  for (const k of Object.keys(a)) {
    const v = a[k];
    if (isAbsent(v)) continue;
    present += 1;
    if (!jsonEqual(v, own(b, k))) return false;
  }
  return present === presentCount(b);
}

function presentCount(r: Record<string, unknown>): number {
  let n = 0;
  for (const k of Object.keys(r)) if (!isAbsent(r[k])) n += 1;
  return n;
}

/** A deep copy with absent (null/undefined) object entries dropped; arrays are copied as they are. */
function withoutAbsent(v: unknown): unknown {
  if (!isRecord(v)) return copyValue(v);
  const out: Record<string, unknown> = {};
  for (const k of presentKeys(v)) setOwn(out, k, withoutAbsent(v[k]));
  return out;
}

/** `null` for each key present in `original` and absent from `modified`, or undefined when there is none. */
function removedKeys(
  original: Record<string, unknown>,
  modified: Record<string, unknown>,
): Record<string, unknown> | undefined {
  let removed: Record<string, unknown> | undefined;
  for (const key of Object.keys(original)) {
    if (!isAbsent(original[key]) && isAbsent(own(modified, key))) setOwn((removed ??= {}), key, null);
  }
  return removed;
}

/** The merge patch from `original` to `modified`, or undefined when they are equal (the patch is made only when needed). */
function diffRecords(
  original: Record<string, unknown>,
  modified: Record<string, unknown>,
): Record<string, unknown> | undefined {
  let patch = removedKeys(original, modified);
  for (const key of Object.keys(modified)) {
    const m = modified[key];
    if (isAbsent(m)) continue;
    const o = own(original, key);
    if (isRecord(o) && isRecord(m)) {
      const sub = diffRecords(o, m);
      if (sub !== undefined) setOwn((patch ??= {}), key, sub);
    } else if (!jsonEqual(o, m)) {
      setOwn((patch ??= {}), key, withoutAbsent(m));
    }
  }
  return patch;
}

/**
 * The RFC 7386 merge patch that turns `original` into `modified`: changed
 * and added keys carry the new value, removed keys are `null`, nested objects
 * are diffed recursively, arrays are replaced whole. A non-object `original`
 * counts as `{}`. Returns undefined when nothing changed (never `{}`). Inputs
 * are not modified and the patch shares no references with them.
 *
 * @throws TypeError when `modified` is not a JSON object.
 */
export function createMergePatch(original: unknown, modified: unknown): Record<string, unknown> | undefined {
  if (!isRecord(modified)) throw new TypeError('failed to create merge patch: the modified document is not an object');
  return diffRecords(isRecord(original) ? original : {}, modified);
}

/** RFC 7386 MergePatch on a document this module owns (mutates and returns `target`). */
function mergeInto(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return copyValue(patch);
  const result: Record<string, unknown> = isRecord(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) Reflect.deleteProperty(result, key);
    else if (value !== undefined) setOwn(result, key, mergeInto(own(result, key), value));
  }
  return result;
}

/**
 * Applies an RFC 7386 merge patch to `target` and returns the result, as the
 * API server would: `null` removes a key, objects merge recursively, anything
 * else (arrays included) replaces; a non-object patch replaces the whole
 * target. Neither input is modified.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  return mergeInto(structuredClone(target), patch);
}

function setPath(patch: Record<string, unknown>, path: JsonPath, value: unknown): void {
  let node = patch;
  for (const key of path.slice(0, -1)) {
    const existing = own(node, key);
    if (isRecord(existing)) {
      node = existing;
    } else {
      const fresh: Record<string, unknown> = {};
      setOwn(node, key, fresh);
      node = fresh;
    }
  }
  const last = path.at(-1);
  if (last !== undefined) setOwn(node, last, value);
}

interface DriftWalk {
  revert: (path: JsonPath) => boolean;
  patch: Record<string, unknown>;
}

/** The same position in the last-known state and in the destination as it is now. */
interface DriftSides {
  last: unknown;
  current: unknown;
}

/** Walks `desired`'s leaves; records those the agent owns (last = desired) that differ on `current`. */
function collectDrift(desired: Record<string, unknown>, sides: DriftSides, path: JsonPath, walk: DriftWalk): void {
  for (const key of presentKeys(desired)) {
    const d = desired[key];
    const last = isRecord(sides.last) ? own(sides.last, key) : undefined;
    const current = isRecord(sides.current) ? own(sides.current, key) : undefined;
    const here = [...path, key];
    if (isRecord(d)) collectDrift(d, { last, current }, here, walk);
    else if (jsonEqual(last, d) && !jsonEqual(current, d) && walk.revert(here))
      setPath(walk.patch, here, structuredClone(d));
  }
}

function driftPredicate(option: ThreeWayOptions['revertDrift']): ((path: JsonPath) => boolean) | undefined {
  if (option === false) return undefined;
  return option === undefined || option === true ? (): boolean => true : option;
}

/**
 * The patch for the destination object in a spec sync. It is
 * `createMergePatch(lastApplied ?? {}, desired)`: only what changed in the
 * source since the last sync is written, so fields the destination's owners
 * set or defaulted and that were never in the last-known state survive, and
 * fields removed from the source are removed. On top of that it reverts
 * drift: every leaf path of `desired` (a scalar or array; objects are walked
 * into) whose value equals the one in `lastApplied` — a field the agent
 * synced and still wants — but differs in `current` gets `desired`'s value
 * (so a hand edit of a synced field is undone). `options.revertDrift` narrows
 * or disables this; upstream does not revert drift (its e2e
 * TestLocalChangesAreKept expects a local edit of a synced field to survive
 * until the source changes it), so pass `false` for upstream behaviour.
 *
 * Contract: `lastApplied` must be what the store holds for the previous
 * `desired`, i.e. `stripForState(previousDesired, subresources)`, and
 * `desired` must be filtered the same way (stripMetadataForCopy, subresources
 * removed), or the patch is never empty. Sync metadata belongs in `desired`
 * only via `addMissingSyncMetadata`. With drift reverting on, a field the
 * destination's API server normalises (e.g. a quantity `1000m` stored as `1`)
 * is patched on every pass; exclude such paths with a predicate.
 *
 * Without a last-known state (`lastApplied` undefined) the patch carries all
 * of `desired` and nothing is reverted. Returns undefined when nothing needs
 * writing. Inputs are not modified.
 *
 * @throws TypeError when `desired` is not a JSON object.
 */
export function threeWayMergePatch(
  lastApplied: unknown,
  desired: unknown,
  current: unknown,
  options: ThreeWayOptions = {},
): Record<string, unknown> | undefined {
  const patch = createMergePatch(lastApplied ?? {}, desired) ?? {};
  const revert = driftPredicate(options.revertDrift);
  if (revert !== undefined && isRecord(lastApplied) && isRecord(desired)) {
    collectDrift(desired, { last: lastApplied, current }, [], { revert, patch });
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}
