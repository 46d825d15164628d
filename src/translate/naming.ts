import type { KubeObject } from '../kube/object.ts';
import { sha3Short, shortSha1 } from './hashes.ts';

/**
 * Where the service-cluster copy of a kcp object goes: the PublishedResource's
 * `naming` rules rendered against the kcp object. The agent finds copies by
 * their labels, not by recomputing names, so changing the rules later does
 * not orphan existing copies; they only apply to new copies.
 */

/** The `spec.naming` section of a PublishedResource. Empty strings count as unset. */
export interface NamingRules {
  name?: string;
  namespace?: string;
}

/** What the rules are rendered against. */
export interface NamingContext {
  /** The kcp (remote) object; never modified. */
  object: KubeObject;
  /** The logical cluster name of the workspace the object lives in. */
  clusterName: string;
  /** The workspace path (e.g. `root:org:team`); empty unless workspace paths are enabled. */
  clusterPath: string;
}

/** Scope of the service-cluster (local) CRD. */
export type LocalScope = 'Namespaced' | 'Cluster';

/** Where the copy goes; `namespace` is absent when the local CRD is cluster-scoped. */
export interface LocalObjectName {
  name: string;
  namespace?: string;
}

/**
 * The data a Go template sees, with upstream's field names: `.Object` (the kcp
 * object as a map), `.ClusterName` and `.ClusterPath`.
 */
export interface NamingTemplateData {
  Object: Record<string, unknown>;
  ClusterName: string;
  ClusterPath: string;
}

/**
 * A Go-template engine (text/template + sprig + `sha3sum`, `sha3short`,
 * `shortHash`), supplied by the caller. `render` must be pure, return the
 * rendered text (whitespace trimming is done here too) and throw on parse or
 * evaluation errors.
 */
export interface TemplateRenderer {
  render(template: string, data: unknown): string;
}

/** Upstream's default `naming.namespace`: one namespace per kcp logical cluster. */
export const DEFAULT_NAMESPACE_TEMPLATE = '{{ .ClusterName }}';

/**
 * Upstream's default `naming.name` for namespaced local CRDs. It does not
 * include the cluster name; it is unique only together with the per-cluster
 * default namespace.
 */
export const DEFAULT_NAME_TEMPLATE =
  '{{ .Object.metadata.namespace | sha3short }}-{{ .Object.metadata.name | sha3short }}';

/**
 * Our default `naming.name` for cluster-scoped local CRDs. Deliberately
 * differs from upstream, which uses {@link DEFAULT_NAME_TEMPLATE} here too:
 * once the namespace is dropped, same-named objects from different workspaces
 * would collide on one local name, so the cluster name is prepended.
 */
export const DEFAULT_CLUSTER_SCOPED_NAME_TEMPLATE =
  '{{ .ClusterName }}-{{ .Object.metadata.namespace | sha3short }}-{{ .Object.metadata.name | sha3short }}';

/** Placeholders of the deprecated (pre-v0.3) naming syntax, used when a rule contains no `{{`. */
export const LEGACY_PLACEHOLDERS = [
  '$remoteClusterName',
  '$remoteNamespaceHash',
  '$remoteNamespace',
  '$remoteNameHash',
  '$remoteName',
] as const;

/** Longest object name Kubernetes accepts (a DNS-1123 subdomain). */
export const MAX_NAME_LENGTH = 253;

/** Longest namespace name Kubernetes accepts (a DNS-1123 label). */
export const MAX_NAMESPACE_LENGTH = 63;

// Alternation order matters: at each position the first alternative wins, so
// `$remoteNamespace` must come before its prefix `$remoteName`, and the
// `…Hash` forms before their prefixes (upstream's replacer has the same order).
const LEGACY_PATTERN = /\$remoteClusterName|\$remoteNamespaceHash|\$remoteNamespace|\$remoteNameHash|\$remoteName/g;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

type Field = 'naming.name' | 'naming.namespace';

/**
 * Renders the local name (and namespace) for the copy of `ctx.object`.
 *
 * - Unset or empty rules fall back to the defaults: namespace = cluster name;
 *   name = `<sha3short(ns)>-<sha3short(name)>` (upstream's default), or
 *   `<clusterName>-<sha3short(ns)>-<sha3short(name)>` when the local CRD is
 *   cluster-scoped (our deliberate fix, see
 *   {@link DEFAULT_CLUSTER_SCOPED_NAME_TEMPLATE}). A cluster-scoped kcp object
 *   has the empty string as namespace, hashed like any other string (upstream
 *   fails here, issue #163). Defaults are computed natively; no renderer is
 *   needed for them.
 * - A rule containing `{{` is a Go template rendered by `renderer` with
 *   {@link NamingTemplateData}; the result is trimmed.
 * - Any other rule uses the legacy placeholders ({@link LEGACY_PLACEHOLDERS};
 *   hashes are the first 20 hex of SHA-1), replaced in a single pass.
 * - When the local CRD is cluster-scoped the namespace rule is not rendered
 *   and no namespace is returned.
 *
 * Pure: `ctx.object` is not modified (the renderer gets a copy).
 *
 * @throws Error naming the field (`naming.name` / `naming.namespace`) when a
 * template rule is given but no renderer, when rendering fails (the cause is
 * attached), or when the result is empty, longer than 253 characters (name)
 * or not a DNS-1123 label of at most 63 characters (namespace).
 */
export function localObjectName(
  rules: NamingRules | undefined,
  ctx: NamingContext,
  localScope: LocalScope,
  renderer?: TemplateRenderer,
): LocalObjectName {
  const nameRule = nonEmpty(rules?.name);
  const name =
    nameRule !== undefined ? renderRule('naming.name', nameRule, ctx, renderer) : defaultName(ctx, localScope);
  checkName(name);
  if (localScope === 'Cluster') return { name };

  const namespaceRule = nonEmpty(rules?.namespace);
  const namespace =
    namespaceRule !== undefined ? renderRule('naming.namespace', namespaceRule, ctx, renderer) : ctx.clusterName;
  checkNamespace(namespace);
  return { name, namespace };
}

function nonEmpty(rule: string | undefined): string | undefined {
  return rule === undefined || rule === '' ? undefined : rule;
}

function remoteNamespace(ctx: NamingContext): string {
  return ctx.object.metadata.namespace ?? '';
}

function remoteName(ctx: NamingContext): string {
  return ctx.object.metadata.name ?? '';
}

function defaultName(ctx: NamingContext, localScope: LocalScope): string {
  const hashed = `${sha3Short(remoteNamespace(ctx))}-${sha3Short(remoteName(ctx))}`;
  return localScope === 'Cluster' ? `${ctx.clusterName}-${hashed}` : hashed;
}

function renderRule(field: Field, rule: string, ctx: NamingContext, renderer: TemplateRenderer | undefined): string {
  if (!rule.includes('{{')) return renderLegacy(rule, ctx);
  if (renderer === undefined) {
    throw new Error(`invalid ${field}: Go templates are not supported yet (no template renderer configured)`);
  }
  const data: NamingTemplateData = {
    Object: structuredClone(ctx.object),
    ClusterName: ctx.clusterName,
    ClusterPath: ctx.clusterPath,
  };
  try {
    return renderer.render(rule, data).trim();
  } catch (err) {
    throw new Error(`failed to render ${field}`, { cause: err });
  }
}

function renderLegacy(rule: string, ctx: NamingContext): string {
  const values: Record<string, string> = {
    $remoteClusterName: ctx.clusterName,
    $remoteNamespaceHash: shortSha1(remoteNamespace(ctx)),
    $remoteNamespace: remoteNamespace(ctx),
    $remoteNameHash: shortSha1(remoteName(ctx)),
    $remoteName: remoteName(ctx),
  };
  return rule.replace(LEGACY_PATTERN, (placeholder) => values[placeholder] ?? placeholder);
}

function preview(value: string): string {
  return value.length > 64 ? `${value.slice(0, 64)}…` : value;
}

function checkName(name: string): void {
  if (name === '') throw new Error('invalid naming.name: the rendered name is empty');
  if (name.length > MAX_NAME_LENGTH) {
    throw new Error(
      `invalid naming.name: the rendered name "${preview(name)}" is ${name.length} characters long, ` +
        `more than the ${MAX_NAME_LENGTH} Kubernetes allows`,
    );
  }
}

function checkNamespace(namespace: string): void {
  if (namespace.length > MAX_NAMESPACE_LENGTH) {
    throw new Error(
      `invalid naming.namespace: the rendered namespace "${preview(namespace)}" is ${namespace.length} characters long, ` +
        `more than the ${MAX_NAMESPACE_LENGTH} Kubernetes allows`,
    );
  }
  if (!DNS1123_LABEL.test(namespace)) {
    throw new Error(
      `invalid naming.namespace: the rendered namespace "${namespace}" is not a DNS-1123 label ` +
        '(lower-case alphanumerics and "-", starting and ending with an alphanumeric)',
    );
  }
}
