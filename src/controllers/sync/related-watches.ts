import { CLUSTER_ANNOTATION } from '../../apis/kcp.ts';
import type { KubeObject } from '../../kube/object.ts';
import type { RestClient } from '../../kube/rest-client.ts';
import type { Logger } from '../../log/logger.ts';
import type { Clock } from '../../runtime/clock.ts';
import { Informer } from '../../runtime/informer.ts';
import { fromLabelSelector, matchesSelector, type Requirement } from '../../translate/label-selector.ts';
import type { RelatedRule } from '../../translate/related/rule.ts';
import { apiVersionOf, remoteKeyString, type SyncTarget } from '../../translate/sync-target.ts';
import { CopyLabels, ownersOfRelated } from './related-triggers.ts';

export interface RelatedWatchDeps {
  readonly target: SyncTarget;
  readonly rules: readonly RelatedRule[];
  readonly kcp: RestClient;
  readonly local: RestClient;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Queues a consumer object for a sync. */
  enqueue(key: string): void;
  /** One copy on the service cluster by its `namespace/name` key (the sync's local cache). */
  copy(localKey: string): KubeObject | undefined;
  /** The consumer objects of one workspace (the sync's remote caches). */
  primariesIn(cluster: string): KubeObject[];
}

interface Watched {
  readonly rule: RelatedRule;
  readonly selector: readonly Requirement[] | undefined;
}

/**
 * The `watch` of related rules: informers on the related types (on the
 * service cluster for `service`-origin rules, through each virtual workspace
 * for `kcp`-origin ones) that queue the consumer objects a change concerns,
 * by owner reference (`byOwner`) or by the consumer objects' labels
 * (`bySelector`). The caches keep only metadata: the sync reads the objects
 * themselves when it runs.
 */
export class RelatedWatches {
  private readonly deps: RelatedWatchDeps;
  private readonly service: Watched[];
  private readonly kcp: Watched[];
  private readonly remotes = new Map<string, { abort: AbortController }>();
  private readonly locals: Informer[] = [];
  /** Kept only when a service-side rule watches by selector. */
  private readonly copyLabels: CopyLabels | undefined;

  constructor(deps: RelatedWatchDeps) {
    this.deps = deps;
    const watched = deps.rules
      .filter((r) => r.spec.watch !== undefined)
      .map((rule): Watched => ({
        rule,
        selector: rule.spec.watch?.bySelector === undefined ? undefined : fromLabelSelector(rule.spec.watch.bySelector),
      }));
    this.service = watched.filter((w) => w.rule.origin === 'service');
    this.kcp = watched.filter((w) => w.rule.origin === 'kcp');
    this.copyLabels = this.service.some((w) => w.selector !== undefined)
      ? new CopyLabels(deps.target.agentName)
      : undefined;
    for (const w of this.service) {
      const informer = this.informer(deps.local, w, 'local');
      informer.onChange((obj) => {
        this.onServiceChange(w, obj);
      });
      this.locals.push(informer);
    }
  }

  /** Follows the sync's copies (its local informer), for the selector index. */
  copyChanged(obj: KubeObject, deleted: boolean): void {
    this.copyLabels?.changed(obj, deleted);
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all(this.locals.map((i) => i.run(signal)));
  }

  /** Follows the sync's virtual-workspace URLs, like its remote watches. */
  setEndpoints(urls: readonly string[], signal: AbortSignal): void {
    if (this.kcp.length === 0) return;
    for (const [url, r] of this.remotes) {
      if (!urls.includes(url)) {
        r.abort.abort();
        this.remotes.delete(url);
      }
    }
    for (const url of urls) {
      if (this.remotes.has(url)) continue;
      const abort = new AbortController();
      signal.addEventListener(
        'abort',
        () => {
          abort.abort();
        },
        { once: true },
      );
      for (const w of this.kcp) {
        const informer = this.informer(this.deps.kcp.forServer(`${url}/clusters/*`), w, 'remote');
        informer.onChange((obj) => {
          this.onKcpChange(w, obj);
        });
        void informer.run(abort.signal);
      }
      this.remotes.set(url, { abort });
    }
  }

  private informer(client: RestClient, w: Watched, where: string): Informer {
    const t = w.rule.originType;
    const base = t.group === '' ? `/api/${t.version}` : `/apis/${t.group}/${t.version}`;
    return new Informer({
      name: `${where}/${this.deps.target.publishedResource}/related/${w.rule.identifier}`,
      client,
      path: `${base}/${t.resource}`,
      keyOf: (o) =>
        `${o.metadata.annotations?.[CLUSTER_ANNOTATION] ?? ''}|${o.metadata.namespace ?? ''}|${o.metadata.name ?? ''}`,
      transform: metadataOnly,
      compact: true,
      notFoundIsTransient: where === 'remote',
      clock: this.deps.clock,
      logger: this.deps.logger,
    });
  }

  private onServiceChange(w: Watched, obj: KubeObject): void {
    const keys =
      w.selector === undefined
        ? ownersOfRelated(obj, this.deps.target, (key) => this.deps.copy(key))
        : (this.copyLabels?.matching(w.selector) ?? []);
    for (const key of keys) this.deps.enqueue(key);
  }

  private onKcpChange(w: Watched, obj: KubeObject): void {
    const cluster = obj.metadata.annotations?.[CLUSTER_ANNOTATION] ?? '';
    if (cluster === '') return;
    const keys = w.selector === undefined ? this.ownersInKcp(cluster, obj) : this.selectedInKcp(cluster, w.selector);
    for (const key of keys) this.deps.enqueue(key);
  }

  /** `byOwner`: the consumer objects among the owners of a related object in kcp. */
  private ownersInKcp(cluster: string, obj: KubeObject): string[] {
    const { remote } = this.deps.target;
    const namespace = remote.namespaced ? (obj.metadata.namespace ?? '') : '';
    return (obj.metadata.ownerReferences ?? [])
      .filter((r) => r.kind === remote.kind && r.apiVersion === apiVersionOf(remote))
      .map((r) => remoteKeyString({ cluster, namespace, name: r.name }));
  }

  /** `bySelector`: the consumer objects of the workspace whose labels match. */
  private selectedInKcp(cluster: string, selector: readonly Requirement[]): string[] {
    return this.deps
      .primariesIn(cluster)
      .filter((primary) => matchesSelector(selector, primary.metadata.labels))
      .map((primary) =>
        remoteKeyString({ cluster, namespace: primary.metadata.namespace ?? '', name: primary.metadata.name ?? '' }),
      );
  }
}

/** What the watch needs of a related object: who owns it, its labels, where it is. */
function metadataOnly(obj: KubeObject): KubeObject {
  const m = obj.metadata;
  const cluster = m.annotations?.[CLUSTER_ANNOTATION];
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      ...(m.labels === undefined ? {} : { labels: m.labels }),
      ...(m.ownerReferences === undefined ? {} : { ownerReferences: m.ownerReferences }),
      ...(cluster === undefined ? {} : { annotations: { [CLUSTER_ANNOTATION]: cluster } }),
    },
  };
}
