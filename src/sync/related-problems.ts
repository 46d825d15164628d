import { isForbidden } from '../kube/errors.ts';
import { RelatedRuleError, type RelatedRule } from '../translate/related/rule.ts';

/** The event reasons (and condition reasons) of related resources that could not be synced. */
export const RELATED_REASONS = {
  refused: 'RelatedResourceRefused',
  invalid: 'RelatedResourceInvalid',
  notAccepted: 'PermissionClaimNotAccepted',
} as const;

export type RelatedReason = (typeof RELATED_REASONS)[keyof typeof RELATED_REASONS];

/**
 * Why one related rule could not be synced for one consumer object. The
 * message goes into the consumer's workspace: it names the field, never a
 * service-side namespace or another tenant.
 */
export class RelatedProblem extends Error {
  readonly reason: RelatedReason;
  constructor(reason: RelatedReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RelatedProblem';
    this.reason = reason;
  }
}

/** The problem an error of a rule stands for, or undefined for errors worth a retry with backoff. */
export function problemOf(rule: RelatedRule, err: unknown): RelatedProblem | undefined {
  if (err instanceof RelatedProblem) return err;
  // The rule by index and identifier first (how consumers see it named everywhere), then the exact field.
  if (err instanceof RelatedRuleError)
    return new RelatedProblem(RELATED_REASONS.invalid, `${rule.field}: ${err.message}`, { cause: err });
  return undefined;
}

/** Runs a request against a consumer workspace; a 403 means the binding did not accept the claim. */
export async function inWorkspace<T>(rule: RelatedRule, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (isForbidden(err)) {
      throw new RelatedProblem(
        RELATED_REASONS.notAccepted,
        `${rule.field}: the APIBinding has not accepted the permission claim for ${typeName(rule)}`,
        { cause: err },
      );
    }
    throw err;
  }
}

export function typeName(rule: RelatedRule): string {
  const t = rule.origin === 'kcp' ? rule.originType : rule.destinationType;
  return t.group === '' ? t.resource : `${t.resource}.${t.group}`;
}
