/**
 * Generates code from the hand-written CRDs in crds/, the single source of
 * truth for the agent's own API:
 *
 * - src/apis/<version>/zz_generated.types.ts: one TypeScript interface per
 *   schema that has a `title` (plus the root object and its list), made with
 *   json-schema-to-typescript from each served version's openAPIV3Schema;
 * - charts/api-syncagent/templates/crd-<name>.yaml: the CRD as the chart installs it.
 *
 *   node hack/codegen.ts [--out-dir DIR]
 *
 * With --out-dir the files go under DIR at the same relative paths (this is how
 * `make verify-codegen` and the unit test check for drift). The output only
 * depends on the CRD files, so running it twice gives identical bytes. It
 * prints the paths it wrote, relative to the output root.
 *
 * Schemas with the same `title` become one interface; they must be equal apart
 * from their own `description`, otherwise generation fails.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { compile } from 'json-schema-to-typescript';
import { parse } from 'yaml';

type Schema = Record<string, unknown>;
type CompileOptions = NonNullable<Parameters<typeof compile>[2]>;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CRD_DIR = 'crds';
const CHART_TEMPLATE_DIR = 'charts/api-syncagent/templates';
const OBJECT_META_MODULE = 'src/kube/object.ts';

const COMPILE_OPTIONS: Partial<CompileOptions> = {
  bannerComment: '',
  // Structural schemas prune unknown fields, so objects are closed unless the
  // schema says otherwise; open-ended values are `unknown`, never `any`.
  additionalProperties: false,
  unknownAny: true,
  strictIndexSignatures: true,
  ignoreMinAndMaxItems: true,
  enableConstEnums: false,
  declareExternallyReferenced: true,
  format: true,
  style: {
    bracketSpacing: true,
    printWidth: 120,
    semi: true,
    singleQuote: true,
    tabWidth: 2,
    trailingComma: 'all',
    useTabs: false,
  },
};

/** Keywords that only validate values; in a structural schema they never add a type. */
const VALIDATION_ONLY = new Set(['allOf', 'anyOf', 'oneOf', 'not', 'title']);

/** A CRD file as read from crds/. */
interface CrdFile {
  /** Path relative to the repository root, with forward slashes. */
  readonly path: string;
  readonly text: string;
  readonly group: string;
  readonly kind: string;
  readonly listKind: string;
  readonly versions: readonly { name: string; schema: Schema }[];
}

/** One interface to declare, and where the CRD uses it. */
interface NamedType {
  readonly name: string;
  /** The schema as written in the CRD (first occurrence), to compare later occurrences with. */
  readonly original: Schema;
  /** The schema rewritten for json-schema-to-typescript. */
  converted: Schema;
  /** `Owner.field` for each place the schema occurs, in order. */
  readonly usedBy: string[];
}

type Registry = Map<string, NamedType>;

function isRecord(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(obj: Schema, key: string, where: string): Schema {
  const v = obj[key];
  if (!isRecord(v)) throw new Error(`${where}: ${key} must be an object`);
  return v;
}

function text(obj: Schema, key: string, where: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v === '') throw new Error(`${where}: ${key} must be a non-empty string`);
  return v;
}

function without(schema: Schema, keys: readonly string[]): Schema {
  return Object.fromEntries(Object.entries(schema).filter(([k]) => !keys.includes(k)));
}

/** A reference to a named or built-in type that keeps the occurrence's own description. */
function typeRef(tsType: string, occurrence: Schema): Schema {
  const ref: Schema = { tsType };
  if (typeof occurrence['description'] === 'string')
    ref['description'] = occurrence['description'].replaceAll('*/', '*\\/');
  if (occurrence['nullable'] === true) ref['nullable'] = true;
  return ref;
}

async function loadCrd(path: string): Promise<CrdFile> {
  const body = await readFile(join(ROOT, path), 'utf8');
  const doc: unknown = parse(body);
  if (!isRecord(doc) || doc['kind'] !== 'CustomResourceDefinition')
    throw new Error(`${path}: not a CustomResourceDefinition`);
  const spec = field(doc, 'spec', path);
  const names = field(spec, 'names', path);
  const rawVersions = spec['versions'];
  if (!Array.isArray(rawVersions)) throw new Error(`${path}: spec.versions must be a list`);
  const versions = rawVersions
    .filter(isRecord)
    .filter((v) => v['served'] === true)
    .map((v) => ({
      name: text(v, 'name', path),
      schema: field(field(v, 'schema', path), 'openAPIV3Schema', path),
    }));
  const kind = text(names, 'kind', path);
  const listKind = typeof names['listKind'] === 'string' ? names['listKind'] : `${kind}List`;
  return { path, text: body, group: text(spec, 'group', path), kind, listKind, versions };
}

/**
 * Rewrites one schema for json-schema-to-typescript. A titled schema becomes a
 * reference to a named type, declared once; `at` is `Owner.field` for naming
 * where it is used.
 */
function toTs(schema: Schema, at: string, registry: Registry): Schema {
  const title = schema['title'];
  if (typeof title !== 'string') return convert(schema, at, registry);
  const seen = registry.get(title);
  if (seen === undefined) {
    const entry: NamedType = { name: title, original: schema, converted: {}, usedBy: [at] };
    registry.set(title, entry);
    entry.converted = convert(schema, title, registry);
  } else {
    if (!isDeepStrictEqual(without(seen.original, ['description']), without(schema, ['description']))) {
      throw new Error(
        `the schemas titled ${title} at ${seen.usedBy[0] ?? '?'} and ${at} differ (only their descriptions may)`,
      );
    }
    seen.usedBy.push(at);
  }
  return typeRef(title, schema);
}

/**
 * The built-in type for a schema without fields: int-or-string, an object that
 * keeps unknown fields (open) or one that does not (always empty). Undefined
 * if the schema has fields or is a plain scalar or list.
 */
function leafType(schema: Schema): string | undefined {
  if (schema['x-kubernetes-int-or-string'] === true) return 'number | string';
  if (isRecord(schema['properties']) || isRecord(schema['additionalProperties'])) return undefined;
  if (schema['x-kubernetes-preserve-unknown-fields'] === true)
    return schema['type'] === 'object' ? 'Record<string, unknown>' : 'unknown';
  return schema['type'] === 'object' ? 'Record<string, never>' : undefined;
}

/** Rewrites an untitled schema; `at` names its place for nested titled schemas. */
function convert(schema: Schema, at: string, registry: Registry): Schema {
  const leaf = leafType(schema);
  if (leaf !== undefined) return typeRef(leaf, schema);
  const out = Object.fromEntries(
    Object.entries(schema).filter(([key]) => !key.startsWith('x-kubernetes-') && !VALIDATION_ONLY.has(key)),
  );
  if (typeof schema['description'] === 'string') out['description'] = schema['description'].replaceAll('*/', '*\\/');
  const { properties, additionalProperties, items } = schema;
  if (isRecord(properties)) {
    out['properties'] = Object.fromEntries(
      Object.entries(properties).map(([key, value]) => {
        if (!isRecord(value)) throw new Error(`${at}.${key}: not a schema`);
        return [key, toTs(value, `${at}.${key}`, registry)];
      }),
    );
    if (schema['x-kubernetes-preserve-unknown-fields'] === true) out['additionalProperties'] = true;
  }
  if (isRecord(additionalProperties)) out['additionalProperties'] = toTs(additionalProperties, `${at}[key]`, registry);
  if (isRecord(items)) out['items'] = toTs(items, `${at}[]`, registry);
  return out;
}

/** The root schema with typed apiVersion, kind and metadata (always present on stored objects). */
function rootSchema(crd: CrdFile, version: CrdFile['versions'][number]): Schema {
  const root = structuredClone(version.schema);
  const properties = isRecord(root['properties']) ? root['properties'] : {};
  const required = Array.isArray(root['required']) ? root['required'] : [];
  root['title'] = crd.kind;
  root['properties'] = {
    ...properties,
    apiVersion: {
      ...(isRecord(properties['apiVersion']) ? properties['apiVersion'] : {}),
      type: 'string',
      enum: [`${crd.group}/${version.name}`],
    },
    kind: { ...(isRecord(properties['kind']) ? properties['kind'] : {}), type: 'string', enum: [crd.kind] },
    metadata: typeRef('ObjectMeta', {
      description: 'Standard object metadata.',
      ...(isRecord(properties['metadata']) ? properties['metadata'] : {}),
    }),
  };
  root['required'] = [...new Set([...required.map(String), 'metadata'])];
  return root;
}

function listSchema(crd: CrdFile, version: string): Schema {
  return {
    type: 'object',
    required: ['metadata', 'items'],
    properties: {
      apiVersion: { type: 'string', enum: [`${crd.group}/${version}`] },
      kind: { type: 'string', enum: [crd.listKind] },
      metadata: {
        description: 'Standard list metadata.',
        type: 'object',
        properties: {
          resourceVersion: { description: 'Version of the list, to start a watch from.', type: 'string' },
          continue: { description: 'Token for the next page, if the list was paginated.', type: 'string' },
        },
      },
      items: { description: `The ${crd.kind} objects.`, type: 'array', items: { tsType: crd.kind } },
    },
  };
}

/** The doc comment of a named type: its own description if used once, and where it is used. */
function typeDoc(entry: NamedType, isRoot: boolean): string {
  const own = typeof entry.original['description'] === 'string' ? entry.original['description'] : '';
  if (isRoot) return own;
  const places = entry.usedBy.map((p) => `\`${p}\``).join(', ');
  return `${entry.usedBy.length === 1 && own !== '' ? `${own}\n\n` : ''}Used by ${places}.`;
}

async function compileNamed(name: string, schema: Schema, doc: string): Promise<string> {
  const input: Schema = { ...schema, title: name };
  if (doc === '') delete input['description'];
  else input['description'] = doc.replaceAll('*/', '*\\/');
  const out = await compile(input, name, COMPILE_OPTIONS);
  return out.trim();
}

/**
 * The types file for one API version: each CRD's root type and the types it
 * uses, in order of first use, then the list types. CRDs of the same version
 * share titled types, so a title means the same schema across all of them.
 */
async function typesFile(version: string, crds: readonly CrdFile[]): Promise<[string, string]> {
  const path = `src/apis/${version}/zz_generated.types.ts`;
  const registry: Registry = new Map();
  const roots = new Set<string>();
  for (const crd of crds) {
    for (const v of crd.versions.filter((x) => x.name === version)) toTs(rootSchema(crd, v), crd.kind, registry);
    roots.add(crd.kind);
  }
  const blocks: string[] = [];
  for (const entry of registry.values())
    blocks.push(await compileNamed(entry.name, entry.converted, typeDoc(entry, roots.has(entry.name))));
  for (const crd of crds) {
    blocks.push(
      await compileNamed(
        crd.listKind,
        listSchema(crd, version),
        `A list of ${crd.kind} objects, as list requests return it.`,
      ),
    );
  }
  const body = blocks.join('\n\n');
  if (/(:|\||<|\()\s*any\b|\bany\[\]/.test(body)) throw new Error(`${path}: the generated types contain \`any\``);
  const importPath = posix.relative(posix.dirname(path), OBJECT_META_MODULE);
  const header = [
    `// Code generated by hack/codegen.ts from ${crds.map((c) => c.path).join(', ')}; DO NOT EDIT.`,
    '// Edit the CRD instead and run `make codegen`.',
    '',
    ...(body.includes('ObjectMeta') ? [`import type { ObjectMeta } from '${importPath}';`, ''] : []),
  ];
  return [path, `${header.join('\n')}\n${body}\n`];
}

/**
 * The chart's copy: a template installed when `crds.enabled` is true, kept on
 * `helm uninstall` (deleting the CRD would delete every PublishedResource).
 * Template braces inside the CRD's descriptions are escaped for Helm.
 */
function chartFile(crd: CrdFile): [string, string] {
  const lines = crd.text.split('\n');
  const start = lines.findIndex((l) => l.trim() !== '' && !l.startsWith('#'));
  const name = posix.basename(crd.path).replace(/^[^_]+_/, 'crd-');
  const body = lines
    .slice(Math.max(start, 0))
    .join('\n')
    .replace(/\{\{|\}\}/g, (b) => `{{ "${b}" }}`)
    .replace(/^metadata:\n/m, 'metadata:\n  annotations:\n    helm.sh/resource-policy: keep\n');
  const header = [
    `# Code generated by hack/codegen.ts from ${crd.path}; DO NOT EDIT.`,
    `# Edit ${crd.path} instead and run \`make codegen\`.`,
    '{{- if .Values.crds.enabled }}',
  ];
  return [`${CHART_TEMPLATE_DIR}/${name}`, `${header.join('\n')}\n${body.trimEnd()}\n{{- end }}\n`];
}

async function generate(): Promise<Map<string, string>> {
  const names = (await readdir(join(ROOT, CRD_DIR))).filter((n) => /\.ya?ml$/.test(n)).sort();
  const crds = await Promise.all(names.map((n) => loadCrd(`${CRD_DIR}/${n}`)));
  const files = new Map<string, string>();
  const versions = [...new Set(crds.flatMap((c) => c.versions.map((v) => v.name)))].sort();
  for (const version of versions) {
    const [path, content] = await typesFile(
      version,
      crds.filter((c) => c.versions.some((v) => v.name === version)),
    );
    files.set(path, content);
  }
  for (const crd of crds) {
    const [path, content] = chartFile(crd);
    files.set(path, content);
  }
  return files;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } }, strict: true });
  const outDir = resolve(values['out-dir'] ?? ROOT);
  const files = await generate();
  for (const [path, content] of files) {
    await mkdir(dirname(join(outDir, path)), { recursive: true });
    await writeFile(join(outDir, path), content);
    console.log(path);
  }
}

main().catch((err: unknown) => {
  console.error('codegen failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
