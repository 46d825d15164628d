// The audit log the test servers (kube-apiserver, kcp) can write: every
// request that changes something, at Metadata level (who, what, when, the
// answer). Fault tests count writes with it (test/faults/audit.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    verbs: [create, update, patch, delete, deletecollection]
  - level: None
`;

/** Writes the policy into dir; returns the server flags that log to logPath (both servers take the same). */
export function auditFlags(dir: string, logPath: string): string[] {
  writeFileSync(join(dir, 'audit-policy.yaml'), AUDIT_POLICY);
  return [
    `--audit-policy-file=${join(dir, 'audit-policy.yaml')}`,
    `--audit-log-path=${logPath}`,
    '--audit-log-mode=blocking',
    '--audit-log-format=json',
  ];
}
