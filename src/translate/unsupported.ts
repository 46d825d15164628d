/**
 * Fields of a PublishedResource this version of the agent accepts but cannot
 * honour yet. Publishing or syncing without them would produce a different
 * API or different objects than the manifest asks for, so such a resource is
 * held back with a condition naming the fields, never silently half-applied.
 */
export interface SpecView {
  projection?: unknown;
  mutation?: { spec?: unknown[] | undefined; status?: unknown[] | undefined } | undefined;
  related?: unknown[] | undefined;
  naming?: { name?: string | undefined; namespace?: string | undefined } | undefined;
  filter?: { namespace?: unknown } | undefined;
  enableWorkspacePaths?: boolean | undefined;
}

const CHECKS: readonly [string, (spec: SpecView) => boolean][] = [
  ['spec.related', (s) => (s.related?.length ?? 0) > 0],
];

/** The fields of `spec` that are set but not supported yet, by path. */
export function unsupportedFields(spec: SpecView): string[] {
  return CHECKS.filter(([, check]) => check(spec)).map(([field]) => field);
}
