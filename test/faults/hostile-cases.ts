// The table of hostile consumer objects (issue 20, item 5). Each case is one
// object a tenant creates in its own workspace to trick the agent: metadata
// that forges the agent's own bookkeeping (naming another tenant's cluster,
// another agent, another object's hashes), names and values at the limits,
// odd Unicode, objects near the size limit, foreign finalizers and owner
// references. The test expects each to end in a correct copy in the
// tenant's own namespace, or in a clear refusal (by the API server or an
// event of the agent), and nothing of another tenant touched.
import {
  AGENT_NAME_ANNOTATION,
  AGENT_NAME_LABEL,
  CLEANUP_FINALIZER,
  KCP_CLUSTER_ANNOTATION,
  LAST_KNOWN_STATE_ANNOTATION,
  OBJECT_STATE_LABEL,
  RELATED_OWNER_ANNOTATION,
  RELATED_RESOURCES_ANNOTATION_PREFIX,
  RELATED_STATE_ANNOTATION,
  REMOTE_OBJECT_CLUSTER_LABEL,
  REMOTE_OBJECT_NAME_ANNOTATION,
  REMOTE_OBJECT_NAME_HASH_LABEL,
  REMOTE_OBJECT_NAMESPACE_ANNOTATION,
  REMOTE_OBJECT_NAMESPACE_HASH_LABEL,
  REMOTE_OBJECT_WORKSPACE_PATH_ANNOTATION,
} from '../../src/apis/v1alpha1/constants.ts';
import type { OwnerReference } from '../../src/kube/object.ts';
import { sha1Hex } from '../../src/translate/hashes.ts';

/** What a case knows about the world it attacks. */
export interface HostileContext {
  /** The attacker's logical cluster and workspace path. */
  readonly ownCluster: string;
  /** The victim tenant's logical cluster and workspace path. */
  readonly victimCluster: string;
  readonly victimPath: string;
  /** Names and UIDs of the victim's objects (in its `default` namespace). */
  readonly victimName: string;
  readonly victimUid: string;
  /** Our agent's name, and another agent's. */
  readonly agentName: string;
  readonly otherAgent: string;
}

export interface HostileMeta {
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly finalizers?: string[];
  readonly ownerReferences?: OwnerReference[];
}

export interface HostileCase {
  readonly title: string;
  /** The group the report counts the case under. */
  readonly kind:
    'forged agent metadata' | 'length limits' | 'odd Unicode' | 'size limit' | 'finalizers and owners' | 'namespaces';
  /** The object's name (default: derived from the case's index). */
  readonly name?: (ctx: HostileContext) => string;
  /** The consumer namespace (created when missing; default `default`). */
  readonly namespace?: (ctx: HostileContext) => string;
  readonly meta?: (ctx: HostileContext) => HostileMeta;
  readonly spec?: Record<string, unknown>;
  /** The API server may refuse the object; a refusal is a clear answer to the consumer. */
  readonly mayBeRefused?: boolean;
}

const forgedLabel = (title: string, key: string, value: (c: HostileContext) => string): HostileCase => ({
  title,
  kind: 'forged agent metadata',
  meta: (c) => ({ labels: { [key]: value(c) } }),
});
const forgedAnnotation = (title: string, key: string, value: (c: HostileContext) => string): HostileCase => ({
  title,
  kind: 'forged agent metadata',
  meta: (c) => ({ annotations: { [key]: value(c) } }),
});
const oddAnnotation = (title: string, value: string): HostileCase => ({
  title,
  kind: 'odd Unicode',
  meta: () => ({ annotations: { 'hostile.test/value': value }, labels: { 'hostile.test/plain': 'x' } }),
});

const FORGED: HostileCase[] = [
  forgedLabel('agent-name label naming another agent', AGENT_NAME_LABEL, (c) => c.otherAgent),
  forgedLabel('agent-name label naming our agent', AGENT_NAME_LABEL, (c) => c.agentName),
  forgedLabel("cluster label naming the victim's cluster", REMOTE_OBJECT_CLUSTER_LABEL, (c) => c.victimCluster),
  forgedLabel("name-hash label of the victim's object", REMOTE_OBJECT_NAME_HASH_LABEL, (c) => sha1Hex(c.victimName)),
  forgedLabel('namespace-hash label of another namespace', REMOTE_OBJECT_NAMESPACE_HASH_LABEL, () =>
    sha1Hex('kube-system'),
  ),
  forgedLabel('object-state label', OBJECT_STATE_LABEL, () => 'true'),
  forgedAnnotation(
    "origin-name annotation naming the victim's object",
    REMOTE_OBJECT_NAME_ANNOTATION,
    (c) => c.victimName,
  ),
  forgedAnnotation(
    'origin-namespace annotation naming kube-system',
    REMOTE_OBJECT_NAMESPACE_ANNOTATION,
    () => 'kube-system',
  ),
  forgedAnnotation(
    'workspace-path annotation naming the victim',
    REMOTE_OBJECT_WORKSPACE_PATH_ANNOTATION,
    (c) => c.victimPath,
  ),
  forgedAnnotation('agent-name annotation naming another agent', AGENT_NAME_ANNOTATION, (c) => c.otherAgent),
  forgedAnnotation('kcp.io/cluster annotation naming the victim', KCP_CLUSTER_ANNOTATION, (c) => c.victimCluster),
  forgedAnnotation('last-known-state claiming a foreign spec', LAST_KNOWN_STATE_ANNOTATION, () =>
    JSON.stringify({ spec: { image: 'forged:state', replicas: 99 } }),
  ),
  forgedAnnotation('last-known-state that is not JSON', LAST_KNOWN_STATE_ANNOTATION, () => '{"spec": [unterminated'),
  forgedAnnotation("related-state claiming the victim's related copies", RELATED_STATE_ANNOTATION, (c) =>
    JSON.stringify({ [`secrets/${c.victimCluster}/${c.victimName}`]: { data: 'x' } }),
  ),
  forgedAnnotation(
    "related-owner naming the victim's object",
    RELATED_OWNER_ANNOTATION,
    (c) => `crontabs/${c.victimCluster}|default|${c.victimName}`,
  ),
  forgedAnnotation(
    'related-resources record pointing at the victim',
    `${RELATED_RESOURCES_ANNOTATION_PREFIX}credentials.0`,
    (c) => JSON.stringify({ name: c.victimName, namespace: c.victimCluster, cluster: c.victimCluster }),
  ),
  forgedAnnotation(
    'related-resources record that is not JSON',
    `${RELATED_RESOURCES_ANNOTATION_PREFIX}credentials.1`,
    () => '}{',
  ),
  {
    title: 'every agent label and annotation at once, naming the victim',
    kind: 'forged agent metadata',
    meta: (c) => ({
      labels: {
        [AGENT_NAME_LABEL]: c.otherAgent,
        [REMOTE_OBJECT_CLUSTER_LABEL]: c.victimCluster,
        [REMOTE_OBJECT_NAME_HASH_LABEL]: sha1Hex(c.victimName),
        [REMOTE_OBJECT_NAMESPACE_HASH_LABEL]: sha1Hex('default'),
      },
      annotations: {
        [REMOTE_OBJECT_NAME_ANNOTATION]: c.victimName,
        [REMOTE_OBJECT_NAMESPACE_ANNOTATION]: 'default',
        [REMOTE_OBJECT_WORKSPACE_PATH_ANNOTATION]: c.victimPath,
        [LAST_KNOWN_STATE_ANNOTATION]: '{}',
        [RELATED_OWNER_ANNOTATION]: `crontabs/${c.victimCluster}|default|${c.victimName}`,
      },
    }),
  },
  {
    title: "the victim's object name, with its identity labels",
    kind: 'forged agent metadata',
    name: (c) => c.victimName,
    meta: (c) => ({
      labels: {
        [REMOTE_OBJECT_CLUSTER_LABEL]: c.victimCluster,
        [REMOTE_OBJECT_NAME_HASH_LABEL]: sha1Hex(c.victimName),
      },
    }),
  },
  {
    title: "a name that spells the victim's copy name",
    kind: 'forged agent metadata',
    name: (c) => `${c.victimCluster}-${sha1Hex(c.victimName).slice(0, 20)}`,
  },
];

const LIMITS: HostileCase[] = [
  { title: 'name of 253 characters', kind: 'length limits', name: () => `n${'a'.repeat(251)}z` },
  { title: 'name of 254 characters', kind: 'length limits', name: () => `n${'b'.repeat(252)}z`, mayBeRefused: true },
  { title: 'name of 63 characters', kind: 'length limits', name: () => `m${'c'.repeat(61)}z` },
  { title: 'name with dots', kind: 'length limits', name: () => 'a.b.c.hostile' },
  { title: 'name of one character', kind: 'length limits', name: () => 'q' },
  {
    title: 'label value of 63 characters',
    kind: 'length limits',
    meta: () => ({ labels: { 'hostile.test/long': `v${'d'.repeat(61)}z` } }),
  },
  {
    title: 'label value of 64 characters',
    kind: 'length limits',
    meta: () => ({ labels: { 'hostile.test/long': `v${'e'.repeat(62)}z` } }),
    mayBeRefused: true,
  },
  {
    title: 'label key with a 253-character prefix',
    kind: 'length limits',
    meta: () => ({ labels: { [`${'p'.repeat(249)}.com/${'k'.repeat(63)}`]: 'v' } }),
  },
  {
    title: '200 labels',
    kind: 'length limits',
    meta: () => ({
      labels: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`hostile.test/l${i}`, `v${i}`])),
    }),
  },
  {
    title: '200 annotations',
    kind: 'length limits',
    meta: () => ({
      annotations: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`hostile.test/a${i}`, `v${i}`])),
    }),
  },
  {
    title: 'label key under syncagent.kcp.io that the agent does not use',
    kind: 'length limits',
    meta: () => ({ labels: { 'syncagent.kcp.io/unknown': 'x' } }),
  },
];

const UNICODE: HostileCase[] = [
  oddAnnotation('emoji', '🛰️🔥👩‍👩‍👧‍👦'),
  oddAnnotation('right-to-left override', 'abc\u202edef'),
  oddAnnotation('zero-width characters', 'a\u200bb\u200cc\u200dd\ufeff'),
  oddAnnotation('a NUL character', 'before\u0000after'),
  oddAnnotation('combining marks', 'Z\u0351\u0364\u036b\u0300a\u0317l\u0359g\u0316o'),
  oddAnnotation('CJK and astral plane', '雲同期𝔘𝔫𝔦𝔠𝔬𝔡𝔢'),
  oddAnnotation('JSON-looking value', '{"metadata":{"namespace":"kube-system"}}'),
  oddAnnotation('template-looking value', '{{ .ClusterName }}-{{ .Object.metadata.name }}'),
  oddAnnotation('newlines, quotes and backslashes', 'line1\nline2\r\n"quoted" \\escaped\\ \t'),
  oddAnnotation('lone surrogate escaped', 'x\\ud800y'),
  { title: 'Unicode in the spec', kind: 'odd Unicode', spec: { cronSpec: '* * * * *', image: 'ünïcödé/ïmägé:🏷️' } },
  {
    title: 'a label value with dashes, dots and underscores',
    kind: 'odd Unicode',
    meta: () => ({ labels: { 'hostile.test/v': 'a-b.c_d' } }),
  },
];

const SIZE: HostileCase[] = [
  { title: 'spec of 600 KiB', kind: 'size limit', spec: { cronSpec: '* * * * *', image: 'i'.repeat(600 * 1024) } },
  {
    title: 'spec of 1.4 MiB',
    kind: 'size limit',
    spec: { cronSpec: '* * * * *', image: 'j'.repeat(1.4 * 1024 * 1024) },
    mayBeRefused: true,
  },
  {
    title: 'annotations of 250 KiB',
    kind: 'size limit',
    meta: () => ({ annotations: { 'hostile.test/big': 'k'.repeat(250 * 1024) } }),
  },
  {
    title: 'annotations over 256 KiB',
    kind: 'size limit',
    meta: () => ({ annotations: { 'hostile.test/big': 'l'.repeat(260 * 1024) } }),
    mayBeRefused: true,
  },
  {
    title: 'a 100 KiB annotation and a 300 KiB spec',
    kind: 'size limit',
    meta: () => ({ annotations: { 'hostile.test/big': 'm'.repeat(100 * 1024) } }),
    spec: { cronSpec: '* * * * *', image: 'o'.repeat(300 * 1024) },
  },
];

const OWNERS: HostileCase[] = [
  { title: 'a foreign finalizer', kind: 'finalizers and owners', meta: () => ({ finalizers: ['hostile.test/keep'] }) },
  {
    title: "the agent's finalizer set by the consumer",
    kind: 'finalizers and owners',
    meta: () => ({ finalizers: [CLEANUP_FINALIZER] }),
  },
  {
    title: 'a finalizer naming another agent',
    kind: 'finalizers and owners',
    meta: (c) => ({ finalizers: [`${CLEANUP_FINALIZER}-${c.otherAgent}`] }),
  },
  {
    title: 'twenty finalizers',
    kind: 'finalizers and owners',
    meta: () => ({ finalizers: Array.from({ length: 20 }, (_, i) => `hostile.test/f${i}`) }),
  },
  {
    title: "an owner reference to the victim's object",
    kind: 'finalizers and owners',
    meta: (c) => ({
      ownerReferences: [
        {
          apiVersion: 'example.com/v1',
          kind: 'CronTab',
          name: c.victimName,
          uid: c.victimUid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    }),
  },
  {
    title: 'an owner reference to a missing object',
    kind: 'finalizers and owners',
    meta: () => ({
      ownerReferences: [
        { apiVersion: 'v1', kind: 'ConfigMap', name: 'nowhere', uid: '00000000-0000-0000-0000-000000000000' },
      ],
    }),
  },
  {
    title: 'an owner reference to a service-cluster kind',
    kind: 'finalizers and owners',
    meta: () => ({
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'kube-dns',
          uid: '11111111-1111-1111-1111-111111111111',
          controller: true,
        },
      ],
    }),
  },
];

const NAMESPACES: HostileCase[] = [
  {
    title: "a consumer namespace named after the victim's cluster",
    kind: 'namespaces',
    namespace: (c) => c.victimCluster,
  },
  { title: 'a consumer namespace named after our own cluster', kind: 'namespaces', namespace: (c) => c.ownCluster },
  {
    title: 'a consumer namespace named kube-system',
    kind: 'namespaces',
    namespace: () => 'kube-system',
    mayBeRefused: true,
  },
  { title: 'a consumer namespace named api-syncagent', kind: 'namespaces', namespace: () => 'api-syncagent' },
  { title: 'a consumer namespace of 63 characters', kind: 'namespaces', namespace: () => `s${'t'.repeat(61)}u` },
  {
    title: "the victim's name in a namespace named after the victim",
    kind: 'namespaces',
    namespace: (c) => c.victimCluster,
    name: (c) => c.victimName,
  },
];

export const HOSTILE_CASES: readonly HostileCase[] = [
  ...FORGED,
  ...LIMITS,
  ...UNICODE,
  ...SIZE,
  ...OWNERS,
  ...NAMESPACES,
];
