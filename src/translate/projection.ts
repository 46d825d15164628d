import type { CrdNames, CrdSpec, CrdVersion } from '../apis/apiextensions.ts';
import type { ResourceProjection } from '../apis/v1alpha1/published-resource.ts';

/** What a PublishedResource says about which versions to publish. */
export interface VersionSelection {
  /** Deprecated single version. */
  version?: string | undefined;
  versions?: string[] | undefined;
}

/**
 * Keeps only the selected versions of a CRD spec (all when none are named)
 * and makes sure exactly one of them is the storage version: when the CRD's
 * storage version was dropped, the last selected served version takes its
 * place. Throws an Error naming the field when the selection is invalid.
 */
export function selectVersions(spec: CrdSpec, sel: VersionSelection): CrdSpec {
  if (sel.version !== undefined && sel.version !== '' && (sel.versions?.length ?? 0) > 0) {
    throw new Error('spec.resource.version and spec.resource.versions are mutually exclusive');
  }
  const wanted = sel.version !== undefined && sel.version !== '' ? [sel.version] : (sel.versions ?? []);
  const versions = pickVersions(structuredClone(spec.versions), wanted);
  if (versions.length === 0) throw new Error('spec.resource: the CRD serves no version');
  if (!versions.some((v) => v.storage)) {
    const last = versions.at(-1);
    if (last !== undefined) last.storage = true;
  }
  return { ...structuredClone(spec), versions };
}

function pickVersions(all: CrdVersion[], wanted: readonly string[]): CrdVersion[] {
  if (wanted.length === 0) return all.filter((v) => v.served);
  return wanted.map((name) => {
    const v = all.find((x) => x.name === name);
    if (v === undefined) throw new Error(`spec.resource.versions: version "${name}" does not exist in the CRD`);
    if (!v.served) throw new Error(`spec.resource.versions: version "${name}" is not served`);
    return v;
  });
}

/** The storage version of a (selected) CRD spec. */
export function storageVersion(spec: CrdSpec): string {
  const v = spec.versions.find((x) => x.storage) ?? spec.versions[0];
  if (v === undefined) throw new Error(`CRD ${spec.names.plural}.${spec.group} has no versions`);
  return v.name;
}

/** True when the given version of a CRD has a status subresource. */
export function hasStatusSubresource(spec: CrdSpec, version: string): boolean {
  return spec.versions.find((v) => v.name === version)?.subresources?.status !== undefined;
}

/**
 * Applies a PublishedResource's projection to a CRD spec after version
 * selection: the shape the type has in kcp. Pure; returns a new spec and
 * never changes its input. Unset fields keep the CRD's values. Throws an
 * Error naming the offending `spec.projection.<field>` when the projection
 * cannot be applied.
 */
export function projectCrd(spec: CrdSpec, projection: ResourceProjection | undefined): CrdSpec {
  const out = structuredClone(spec);
  if (projection !== undefined) {
    if (isSet(projection.group)) out.group = projection.group;
    if (projection.scope !== undefined) out.scope = projection.scope;
    out.versions = projectVersions(out.versions, projection);
    out.names = projectNames(out.names, projection);
  }
  refuseKcpOwnGroup(out.group);
  return out;
}

/**
 * API groups every kcp workspace serves itself. A schema in one of them
 * shadows kcp's own type: kcp v0.32's virtual workspace then serves that type
 * from every logical cluster, not only the bound ones, so it is refused.
 */
const KCP_BUILT_IN_GROUPS: ReadonlySet<string> = new Set([
  '',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'rbac.authorization.k8s.io',
]);

function refuseKcpOwnGroup(group: string): void {
  if (!KCP_BUILT_IN_GROUPS.has(group) && !group.endsWith('.kcp.io')) return;
  const shown = group === '' ? 'the core API group' : `API group "${group}"`;
  throw new Error(
    `spec.projection.group: kcp serves ${shown} itself; publish the type under a group of your own (set spec.projection.group)`,
  );
}

function isSet(s: string | undefined): s is string {
  return s !== undefined && s !== '';
}

/** Renames versions (the map, or the deprecated single version) and re-sorts them. */
function projectVersions(versions: CrdVersion[], projection: ResourceProjection): CrdVersion[] {
  const renames = Object.entries(projection.versions ?? {});
  if (isSet(projection.version) && renames.length > 0) {
    throw new Error('spec.projection.version and spec.projection.versions are mutually exclusive');
  }
  if (isSet(projection.version)) return [renameSingleVersion(versions, projection.version)];
  if (renames.length === 0) return versions;
  const known = new Set(versions.map((v) => v.name));
  const mapping = new Map<string, string>();
  for (const [from, to] of renames) {
    if (!known.has(from)) throw new Error(`spec.projection.versions: version "${from}" is not published`);
    if (!isSet(to)) throw new Error(`spec.projection.versions: the new name of version "${from}" is empty`);
    mapping.set(from, to);
  }
  const renamed = versions.map((v) => ({ ...v, name: mapping.get(v.name) ?? v.name }));
  assertUniqueNames(renamed);
  return sortByVersionPriority(renamed);
}

function renameSingleVersion(versions: CrdVersion[], name: string): CrdVersion {
  const [only, ...rest] = versions;
  if (only === undefined || rest.length > 0) {
    throw new Error(
      `spec.projection.version: can only rename exactly one published version, but ${versions.length} are published; use spec.projection.versions`,
    );
  }
  return { ...only, name };
}

function assertUniqueNames(versions: readonly CrdVersion[]): void {
  const seen = new Set<string>();
  for (const v of versions) {
    if (seen.has(v.name)) throw new Error(`spec.projection.versions: more than one version would be named "${v.name}"`);
    seen.add(v.name);
  }
}

/** Sorts versions in Kubernetes priority order (see compareVersionPriority). */
export function sortByVersionPriority(versions: readonly CrdVersion[]): CrdVersion[] {
  return [...versions].sort((a, b) => compareVersionPriority(a.name, b.name));
}

const KUBE_VERSION = /^v([1-9]\d*)(?:(alpha|beta)([1-9]\d*))?$/;
const STABILITY: Record<string, number> = { '': 2, beta: 1, alpha: 0 };

/**
 * Kubernetes version priority as a sort comparator: GA before beta before
 * alpha, higher major (then minor) numbers first, and names that do not look
 * like Kubernetes versions last, alphabetically. E.g. v2, v1, v2beta1,
 * v1beta2, v1alpha1, foo.
 */
export function compareVersionPriority(a: string, b: string): number {
  const pa = KUBE_VERSION.exec(a);
  const pb = KUBE_VERSION.exec(b);
  if (pa === null || pb === null) {
    if (pa !== null) return -1;
    if (pb !== null) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const rank = (m: RegExpExecArray): [number, number, number] => [
    STABILITY[m[2] ?? ''] ?? 0,
    Number(m[1]),
    Number(m[3] ?? 0),
  ];
  const [ra, rb] = [rank(pa), rank(pb)];
  for (let i = 0; i < ra.length; i++) {
    const d = (rb[i] ?? 0) - (ra[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Projects the names. A new kind also renames the list kind, the singular
 * and (unless a plural is given) the plural. Short names and categories
 * distinguish unset (keep the CRD's) from an empty list (remove them all).
 */
function projectNames(names: CrdNames, projection: ResourceProjection): CrdNames {
  const out: CrdNames = { ...names };
  if (isSet(projection.kind)) {
    const lower = projection.kind.toLowerCase();
    Object.assign(out, {
      kind: projection.kind,
      listKind: `${projection.kind}List`,
      singular: lower,
      plural: `${lower}s`,
    });
  }
  if (isSet(projection.plural)) out.plural = projection.plural;
  return withList(withList(out, 'shortNames', projection.shortNames), 'categories', projection.categories);
}

function withList(names: CrdNames, key: 'shortNames' | 'categories', value: string[] | undefined): CrdNames {
  if (value === undefined) return names;
  const { [key]: _old, ...rest } = names;
  return value.length === 0 ? rest : { ...rest, [key]: [...value] };
}
