// The service apiserver's audit log (ServiceClusterOptions.auditLog): who
// wrote what, and with which answer. Fault tests count writes with it.
import { readFileSync } from 'node:fs';

export interface AuditEvent {
  readonly verb: string;
  readonly user: { readonly username: string };
  readonly userAgent?: string;
  readonly requestURI?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly objectRef?: {
    readonly resource?: string;
    readonly namespace?: string;
    readonly name?: string;
    readonly subresource?: string;
  };
  readonly responseStatus?: { readonly code?: number };
  readonly requestReceivedTimestamp: string;
  readonly stage: string;
}

/** Every completed request in the log, oldest first. */
export function auditEvents(path: string): AuditEvent[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as AuditEvent)
    .filter((e) => e.stage === 'ResponseComplete');
}

/** True when the server carried the request out. */
export const succeeded = (e: AuditEvent): boolean => (e.responseStatus?.code ?? 0) < 300;
