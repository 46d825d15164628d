import type { PublishedResource } from '../../apis/v1alpha1/published-resource.ts';
import type { AgentContext } from '../context.ts';
import { type ConditionInput, writeStatus } from './published-resources.ts';

/**
 * Writes a PublishedResource's status; when that newly reports a failure,
 * also tells the provider through a Warning event on the PublishedResource
 * and a log line naming the problem (the status write happens only on
 * change, so neither repeats every pass).
 */
export function statusWriter(ctx: AgentContext, controller: string) {
  return async (
    pr: PublishedResource,
    change: { conditions: ConditionInput[]; resourceSchemaName?: string },
  ): Promise<boolean> => {
    const written = await writeStatus(ctx.service, pr, change, ctx.now());
    if (!written) return false;
    for (const c of change.conditions) {
      if (
        c.status !== 'False' ||
        c.reason === 'Starting' ||
        c.reason === 'Pending' ||
        c.reason === 'Disabled' ||
        c.reason === 'WaitingForSchema'
      )
        continue;
      ctx.logger.warn('PublishedResource cannot be served', {
        controller,
        publishedResource: pr.metadata.name,
        condition: c.type,
        reason: c.reason,
        problem: c.message,
      });
      ctx.events.record(ctx.service, pr, { type: 'Warning', reason: c.reason ?? 'Failed', message: c.message ?? '' });
    }
    return true;
  };
}
