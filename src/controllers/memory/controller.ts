import { type HeapUsage, heapUsage, MemoryPressure } from '../../runtime/memory-pressure.ts';
import type { AgentContext } from '../context.ts';

/** How often the heap is checked: well inside the time a sync burst takes to fill it. */
const CHECK_INTERVAL_MS = 10_000;

/**
 * Warns the provider when the heap nears its limit, before V8 aborts or the
 * kernel kills the container: a log line and a Warning event (reason
 * MemoryPressure) on every PublishedResource this agent serves, once per
 * crossing (see MemoryPressure). The metric syncagent_heap_limit_ratio
 * shows the same ratio at any time.
 */
export function registerMemoryPressure(ctx: AgentContext, usage: () => HeapUsage = heapUsage): void {
  const pressure = new MemoryPressure({ threshold: ctx.options.memoryPressureThreshold });
  const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);
  ctx.manager.add('memory-pressure', async (signal) => {
    while (!signal.aborted) {
      const now = usage();
      const { ratio, warn } = pressure.check(now, ctx.clock.now());
      if (warn) {
        const message =
          `The agent's heap is at ${Math.round(ratio * 100)}% of its limit ` +
          `(${mib(now.usedBytes)} of ${mib(now.limitBytes)} MiB); raise the container's memory limit ` +
          'or split the PublishedResources between agents before it runs out';
        ctx.logger.warn('Memory pressure', { heapUsedMiB: mib(now.usedBytes), heapLimitMiB: mib(now.limitBytes) });
        for (const pr of ctx.listPublishedResources()) {
          ctx.events.record(ctx.service, pr, { type: 'Warning', reason: 'MemoryPressure', message });
        }
      }
      await ctx.clock.sleep(CHECK_INTERVAL_MS, signal).catch(() => undefined);
    }
  });
}
