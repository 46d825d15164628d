import type { CrdSpec, CrdVersion } from '../apis/apiextensions.ts';

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
