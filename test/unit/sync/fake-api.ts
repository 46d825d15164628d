// An in-memory API server for the sync engine's unit tests: objects by path,
// resourceVersions, optimistic locking, finalizers, the status/main-resource
// split and label-selected lists. Not an HTTP fake: the engine gets it in place
// of the REST client through one narrow cast.
import { ApiError } from '../../../src/kube/errors.ts';
import { isRecord, type KubeList, type KubeObject } from '../../../src/kube/object.ts';
import type { PatchType, RestClient } from '../../../src/kube/rest-client.ts';
import { deepEqual } from '../../../src/translate/deep-equal.ts';
import { matchesSelector, parseSelector } from '../../../src/translate/label-selector.ts';
import { applyMergePatch } from '../../../src/translate/merge-patch.ts';

export const apiError = (code: number, reason: string, method: string, path: string): ApiError =>
  new ApiError({ code, reason, message: 'fake', method, path });

/** Turns a synchronous body into a promise, so a throw becomes a rejection. */
const later = <T>(fn: () => T): Promise<T> =>
  new Promise<T>((resolve) => {
    resolve(fn());
  });

interface JsonPatchOp {
  op: string;
  path: string;
  value?: unknown;
}

function isJsonPatch(v: unknown): v is JsonPatchOp[] {
  return (
    Array.isArray(v) && v.every((op) => isRecord(op) && typeof op['op'] === 'string' && typeof op['path'] === 'string')
  );
}

/** The container a JSON pointer points into, and the last segment. */
function pointerParent(doc: unknown, pointer: string): { parent: unknown; last: string } {
  const segments = pointer.split('/').slice(1);
  const last = segments.pop() ?? '';
  let parent = doc;
  for (const s of segments) parent = isRecord(parent) ? parent[s] : undefined;
  return { parent, last };
}

function addAt(parent: unknown, last: string, value: unknown): boolean {
  if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, structuredClone(value));
  else if (isRecord(parent)) parent[last] = structuredClone(value);
  else return false;
  return true;
}

function removeAt(parent: unknown, last: string): boolean {
  if (Array.isArray(parent)) return Number(last) < parent.length && parent.splice(Number(last), 1).length === 1;
  return isRecord(parent) && Object.hasOwn(parent, last) && Reflect.deleteProperty(parent, last);
}

/** Applies one test/add/remove operation in place; false when it cannot apply. */
function applyOp(doc: KubeObject, op: JsonPatchOp): boolean {
  const { parent, last } = pointerParent(doc, op.path);
  if (op.op === 'test') return isRecord(parent) && deepEqual(parent[last], op.value);
  if (op.op === 'add') return addAt(parent, last, op.value);
  if (op.op === 'remove') return removeAt(parent, last);
  return false;
}

/** JSON patch (RFC 6902), only test/add/remove, which is what the syncer sends; all or nothing. */
function applyJsonPatch(doc: KubeObject, ops: JsonPatchOp[], path: string): KubeObject {
  const out = structuredClone(doc);
  for (const op of ops) {
    if (!applyOp(out, op)) throw apiError(422, 'Invalid', 'PATCH', path);
  }
  return out;
}

/**
 * An in-memory API server for one type with a status subresource: objects by
 * path, resourceVersions, optimistic locking, finalizers and the
 * status/main-resource split. Just enough for what the syncer calls.
 */
export class FakeApi {
  readonly objects = new Map<string, KubeObject>();
  writes = 0;
  private version = 0;

  /** Stores an object as another writer would (a user, a controller on that side). */
  put(path: string, obj: KubeObject): void {
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++this.version);
    stored.metadata.uid ??= `uid-${this.version}`;
    if (stored.metadata.deletionTimestamp !== undefined && (stored.metadata.finalizers ?? []).length === 0) {
      this.objects.delete(path);
    } else {
      this.objects.set(path, stored);
    }
  }

  /** Changes a stored object as another writer would. */
  edit(path: string, change: (obj: KubeObject) => void): void {
    const obj = this.objects.get(path);
    if (obj === undefined) throw new Error(`test setup: no object at ${path}`);
    change(obj);
    this.put(path, obj);
  }

  get(path: string): Promise<KubeObject> {
    return later(() => structuredClone(this.existing('GET', path)));
  }

  /** Objects directly under a collection path, by label selector. */
  list(collection: string, query?: { labelSelector?: string }): Promise<KubeList> {
    return later(() => {
      const reqs = parseSelector(query?.labelSelector ?? '');
      const items = [...this.objects.entries()]
        .filter(
          ([path, o]) =>
            path.startsWith(`${collection}/`) &&
            !path.slice(collection.length + 1).includes('/') &&
            matchesSelector(reqs, o.metadata.labels),
        )
        .map(([, o]) => structuredClone(o));
      return { metadata: {}, items };
    });
  }

  create(collection: string, obj: unknown): Promise<KubeObject> {
    return later(() => {
      if (!isRecord(obj) || !isRecord(obj['metadata'])) throw apiError(400, 'BadRequest', 'POST', collection);
      const copy = structuredClone(obj) as KubeObject;
      const path = `${collection}/${copy.metadata.name ?? ''}`;
      if (this.objects.has(path)) throw apiError(409, 'AlreadyExists', 'POST', path);
      Reflect.deleteProperty(copy, 'status');
      return this.write(path, copy);
    });
  }

  replace(path: string, obj: unknown): Promise<KubeObject> {
    return later(() => {
      const base = path.replace(/\/status$/, '');
      const current = this.existing('PUT', base);
      if (!isRecord(obj) || !isRecord(obj['metadata'])) throw apiError(400, 'BadRequest', 'PUT', path);
      this.checkVersion(current, obj['metadata']['resourceVersion'], path);
      const next =
        base === path
          ? { ...(structuredClone(obj) as KubeObject), status: current['status'] }
          : { ...current, status: obj['status'] };
      return this.write(base, next);
    });
  }

  patch(path: string, body: unknown, type: PatchType = 'merge'): Promise<KubeObject> {
    return later(() => {
      const current = this.existing('PATCH', path);
      let next: KubeObject;
      if (type === 'json' && isJsonPatch(body)) {
        next = applyJsonPatch(current, body, path);
      } else if (type === 'merge' && isRecord(body)) {
        const meta = body['metadata'];
        this.checkVersion(current, isRecord(meta) ? meta['resourceVersion'] : undefined, path);
        next = applyMergePatch(current, body) as KubeObject;
      } else {
        throw apiError(415, 'UnsupportedMediaType', 'PATCH', path);
      }
      // The main resource cannot change status, nor the uid.
      return this.write(path, {
        ...next,
        status: current['status'],
        metadata: { ...next.metadata, uid: current.metadata.uid },
      });
    });
  }

  delete(path: string, options?: { preconditions?: { uid?: string } }): Promise<unknown> {
    return later(() => {
      const current = this.existing('DELETE', path);
      const uid = options?.preconditions?.uid;
      if (uid !== undefined && uid !== current.metadata.uid) throw apiError(409, 'Conflict', 'DELETE', path);
      this.writes++;
      if ((current.metadata.finalizers ?? []).length === 0) {
        this.objects.delete(path);
        return { kind: 'Status', status: 'Success' };
      }
      this.put(path, { ...current, metadata: { ...current.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } });
      return structuredClone(this.objects.get(path));
    });
  }

  private existing(method: string, path: string): KubeObject {
    const obj = this.objects.get(path);
    if (obj === undefined) {
      // As the API server words it: about this object, not about the path.
      const segments = path.split('/');
      const message = `${segments.at(-2) ?? ''} "${segments.at(-1) ?? ''}" not found`;
      throw new ApiError({ code: 404, reason: 'NotFound', message, method, path });
    }
    return obj;
  }

  private checkVersion(current: KubeObject, rv: unknown, path: string): void {
    if (rv !== undefined && rv !== current.metadata.resourceVersion) throw apiError(409, 'Conflict', 'WRITE', path);
  }

  private write(path: string, obj: KubeObject): KubeObject {
    this.writes++;
    this.put(path, obj);
    return structuredClone(this.objects.get(path) ?? obj);
  }
}

/**
 * The syncer only calls get/create/replace/patch/delete; FakeApi has exactly
 * those, with the same signatures, so this one narrow cast stands in for the
 * whole HTTP client (no HTTP fake of an API server).
 */
export const asRestClient = (api: FakeApi): RestClient => api as unknown as RestClient;
