import type { EventInput } from '../kube/events.ts';

/**
 * The events the agent records on consumer objects. Reasons are upstream's,
 * so tooling that watches for them keeps working. Messages are deliberately
 * generic: they are written into the consumer's workspace and must reveal
 * nothing about the service cluster (no names, namespaces or errors).
 */
export const SYNC_EVENTS = {
  accepted: { type: 'Normal', reason: 'ObjectAccepted', message: 'The object was accepted by the service provider.' },
  placed: { type: 'Normal', reason: 'ObjectPlaced', message: 'The object was handed to the service provider.' },
  synced: { type: 'Normal', reason: 'ObjectSynced', message: 'The changes were handed to the service provider.' },
  statusSynced: {
    type: 'Normal',
    reason: 'ObjectStatusSynced',
    message: 'The status was updated by the service provider.',
  },
  cleanup: { type: 'Normal', reason: 'ObjectCleanup', message: 'The service provider is removing the object.' },
  error: {
    type: 'Warning',
    reason: 'ReconcilingError',
    message: 'A provider-side issue has occurred; the service provider has been notified and will retry.',
  },
} as const satisfies Record<string, EventInput>;
