/**
 * Label, annotation and finalizer names the agent reads and writes. They are
 * part of the wire contract with the upstream Go agent: an object placed by
 * one agent must be found, adopted and cleaned up by the other, so every value
 * here is spelled exactly as upstream spells it.
 */

/**
 * Label with the agent's name. On service-cluster copies it gates the local
 * watch, so several agents can share one service cluster; upstream also puts
 * it on the APIResourceSchemas it creates.
 */
export const AGENT_NAME_LABEL = 'syncagent.kcp.io/agent-name';

/** Label on a service-cluster copy: the logical cluster name of its kcp origin. */
export const REMOTE_OBJECT_CLUSTER_LABEL = 'syncagent.kcp.io/remote-object-cluster';

/**
 * Label on a service-cluster copy: SHA-1 hex (40 chars) of the kcp origin's
 * name. Hashed because names may be longer than the 63 characters a label
 * value allows; the clear name is kept in {@link REMOTE_OBJECT_NAME_ANNOTATION}.
 */
export const REMOTE_OBJECT_NAME_HASH_LABEL = 'syncagent.kcp.io/remote-object-name-hash';

/**
 * Label on a service-cluster copy: SHA-1 hex of the kcp origin's namespace.
 * Only set when the kcp origin is namespaced.
 */
export const REMOTE_OBJECT_NAMESPACE_HASH_LABEL = 'syncagent.kcp.io/remote-object-namespace-hash';

/** Annotation on a service-cluster copy: the kcp origin's name, in clear. */
export const REMOTE_OBJECT_NAME_ANNOTATION = 'syncagent.kcp.io/remote-object-name';

/** Annotation on a service-cluster copy: the kcp origin's namespace; only set when namespaced. */
export const REMOTE_OBJECT_NAMESPACE_ANNOTATION = 'syncagent.kcp.io/remote-object-namespace';

/** Annotation on a service-cluster copy: the kcp origin's workspace path; only set when known. */
export const REMOTE_OBJECT_WORKSPACE_PATH_ANNOTATION = 'syncagent.kcp.io/remote-object-workspace-path';

/** Annotation with the agent's name, on the APIResourceSchemas and APIExport it manages. */
export const AGENT_NAME_ANNOTATION = 'syncagent.kcp.io/agent-name';

/** Annotation on an APIResourceSchema: the generation of the source CRD it was built from. */
export const SOURCE_GENERATION_ANNOTATION = 'syncagent.kcp.io/source-generation';

/**
 * Finalizer on kcp primaries (and on `origin: kcp` related objects): the agent
 * removes it only once the service-cluster copy is gone.
 */
export const CLEANUP_FINALIZER = 'syncagent.kcp.io/cleanup';

/** Label on the last-known-state Secrets; its value is {@link OBJECT_STATE_LABEL_VALUE}. */
export const OBJECT_STATE_LABEL = 'syncagent.kcp.io/object-state';

/** The value of {@link OBJECT_STATE_LABEL}. */
export const OBJECT_STATE_LABEL_VALUE = 'true';

/** Name prefix of the last-known-state Secrets: `obj-state-<cluster>-<20 hex>`. */
export const OBJECT_STATE_SECRET_PREFIX = 'obj-state-';

/**
 * Prefix of the annotations on a kcp primary that record its `origin: service`
 * related objects (`<prefix><identifier>.<index>`). Never copied down.
 */
export const RELATED_RESOURCES_ANNOTATION_PREFIX = 'related-resources.syncagent.kcp.io/';

/** Annotation kcp puts on every object it serves; never copied to the service cluster. */
export const KCP_CLUSTER_ANNOTATION = 'kcp.io/cluster';

/** kubectl's client-side-apply annotation; never copied to the service cluster. */
export const LAST_APPLIED_CONFIG_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Prefix of the labels kcp adds for accepted permission claims; never copied down. */
export const CLAIMED_LABEL_PREFIX = 'claimed.internal.apis.kcp.io/';

/**
 * Our last-known state of a copy, kept on the copy itself (like kubectl's
 * last-applied annotation) instead of upstream's per-object Secrets: the
 * spec change and the new state are then written in one request, and no
 * state can be orphaned. A copy without it (e.g. one upstream's agent made)
 * gets a full, additive update once and has the annotation from then on.
 */
export const LAST_KNOWN_STATE_ANNOTATION = 'syncagent.kcp.io/last-known-state';

/**
 * On a service-side related object (ours, not upstream's): the consumer
 * object it belongs to, `<publishedResource>/<cluster>|<namespace>|<name>`.
 * Written when the object was chosen by consumer-controlled values, so that
 * no other consumer object can take it over; never copied to kcp.
 */
export const RELATED_OWNER_ANNOTATION = 'syncagent.kcp.io/related-owner';

/**
 * On the service-side copy of a consumer object (ours): the last-known state
 * of each of its related copies, as a JSON map from `<identifier>/<namespace>/<name>`
 * of the copy in kcp to its content with every leaf replaced by a hash. It
 * lives on the service cluster, where consumers cannot write, and is never
 * copied anywhere.
 */
export const RELATED_STATE_ANNOTATION = 'syncagent.kcp.io/related-state';

/** Status condition type on consumer objects whose PublishedResource has related resources. */
export const RELATED_RESOURCES_CONDITION = 'RelatedResourcesSynced';

/**
 * Label on a service-cluster namespace the agent created for copies (ours,
 * not upstream's): the agent's name. Set only when the agent's create made
 * the namespace, so a namespace that existed before is never ours to delete;
 * consumers cannot set it (namespace labels are never copied from kcp).
 */
export const NAMESPACE_CREATED_BY_LABEL = 'syncagent.kcp.io/created-by-agent';
