// The checks of cleanup-agents.faults.ts: two agents with different names
// mirror one export onto one service cluster; what each may and may not write.
import { isDeepStrictEqual } from 'node:util';
import { AGENT_NAME_ANNOTATION } from '../../src/apis/v1alpha1/constants.ts';
import type { KubeObject, WatchEvent } from '../../src/kube/object.ts';
import { type AuditEvent, succeeded } from './audit.ts';
import type { Tenant } from './invariants.ts';
import type { FaultReport } from './report.ts';
import { type FaultWorld, nsCronTabs, sleep } from './world.ts';

/** Agent b's copies are named `mirror-<consumer object name>`. */
export const MIRROR_PREFIX = 'mirror-';
export const isMirror = (copy: KubeObject): boolean => (copy.metadata.name ?? '').startsWith(MIRROR_PREFIX);

/** Follows every consumer object's finalizers (the syncagent ones) through a watch per tenant. */
export class FinalizerLog {
  private readonly last = new Map<string, string[]>();
  /** Object → how many times its syncagent finalizers changed. */
  readonly changes = new Map<string, number>();
  /** Finalizers of ours removed from an object that was not being deleted: a fight. */
  readonly flaps: string[] = [];
  private readonly abort = new AbortController();

  start(tenants: readonly Tenant[]): void {
    for (const t of tenants) void this.follow(t);
  }

  stop(): void {
    this.abort.abort();
  }

  private async follow(t: Tenant): Promise<void> {
    while (!this.abort.signal.aborted) {
      await t.client
        .watch(
          nsCronTabs('default'),
          {},
          (e) => {
            this.seen(t, e);
          },
          this.abort.signal,
        )
        .catch(() => undefined);
      await sleep(200);
    }
  }

  private seen(t: Tenant, e: WatchEvent): void {
    if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return;
    const key = `${t.workspace.cluster}/${e.object.metadata.name ?? ''}`;
    const now = (e.object.metadata.finalizers ?? []).filter((f) => f.startsWith('syncagent.kcp.io/'));
    const before = this.last.get(key);
    this.last.set(key, now);
    if (before === undefined || isDeepStrictEqual(before, now)) return;
    this.changes.set(key, (this.changes.get(key) ?? 0) + 1);
    const removed = before.filter((f) => !now.includes(f));
    if (removed.length > 0 && e.object.metadata.deletionTimestamp === undefined)
      this.flaps.push(`${key}: ${removed.join(', ')} removed while the object was not being deleted`);
  }
}

/** A quiet spell: the export's agent name, sampled, must not change (two agents would rewrite it in turn). */
export async function checkQuietExport(world: FaultWorld, report: FaultReport): Promise<void> {
  const provider = await world.kcp.client('admin', world.agentSetup.providerPath);
  const exportPath = `/apis/apis.kcp.io/v1alpha2/apiexports/${world.agentSetup.exportName}`;
  const seen = new Set<string>();
  for (let i = 0; i < 10; i++) {
    seen.add((await provider.get(exportPath)).metadata.annotations?.[AGENT_NAME_ANNOTATION] ?? '');
    await sleep(500);
  }
  if (seen.size !== 1) report.violation(`the APIExport's agent name changed: ${[...seen].join(' → ')}`);
}

/** Every consumer object carries both agents' own finalizers. */
export function checkBothFinalizers(objs: readonly KubeObject[], agents: readonly string[], report: FaultReport): void {
  for (const o of objs) {
    const f = o.metadata.finalizers ?? [];
    if (!agents.every((a) => f.includes(`syncagent.kcp.io/cleanup-${a}`)))
      report.violation(`${o.metadata.name ?? ''} lacks a finalizer of one agent: ${f.join(', ')}`);
  }
}

/** No finalizer of ours removed before deletion, and at most one add and one release per agent. */
export function checkFinalizerLog(log: FinalizerLog, report: FaultReport): void {
  const changes = [...log.changes.values()];
  report.note(
    `finalizer changes per consumer object (kcp watch): max ${Math.max(0, ...changes)}, total ${changes.reduce((s, n) => s + n, 0)} for ${log.changes.size} objects`,
  );
  for (const f of log.flaps) report.violation(`finalizer flapping: ${f}`);
  for (const [key, n] of log.changes)
    if (n > 4) report.violation(`${key}: ${n} finalizer changes (one add and one release per agent is 4)`);
}

const isWrite = (e: AuditEvent): boolean => !['get', 'list', 'watch'].includes(e.verb) && succeeded(e);

/** On the service cluster (audit log): neither agent wrote the other's copies. */
export function checkNoCrossedWrites(events: readonly AuditEvent[], report: FaultReport): void {
  const mirror = (e: AuditEvent): boolean => (e.objectRef?.name ?? '').startsWith(MIRROR_PREFIX);
  const crossed = events.filter(
    (e) =>
      e.objectRef?.resource === 'crontabs' &&
      e.objectRef.name !== undefined &&
      isWrite(e) &&
      ((e.user.username === 'agent-a' && mirror(e)) || (e.user.username === 'agent-b' && !mirror(e))),
  );
  report.note(`writes to the other agent's copies (audit log): ${crossed.length}`);
  for (const e of crossed.slice(0, 5))
    report.violation(`${e.user.username} ${e.verb} ${e.objectRef?.namespace ?? ''}/${e.objectRef?.name ?? ''}`);
}
