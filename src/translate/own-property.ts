/**
 * Reading and writing a record's own properties by keys that come from
 * documents, where a key such as `__proto__` must stay plain data.
 */

/**
 * Sets an own enumerable property, also for `__proto__` (which a plain
 * assignment would take as the object's prototype). Other keys are assigned:
 * cheaper than a property definition, and the same on a plain object.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * `r[key]` if it is an own property. Reading `r['__proto__']` directly would
 * yield `Object.prototype`, and merging into that would pollute every object.
 */
export function own(r: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(r, key) ? r[key] : undefined;
}
