import { isConflict } from '../../kube/errors.ts';
import type { Result } from '../../runtime/controller.ts';
import { SYNC_EVENTS } from '../../sync/events.ts';
import type { SyncIO } from '../../sync/io.ts';
import { syncObject } from '../../sync/object-syncer.ts';
import { parseRemoteKey, type SyncTarget } from '../../translate/sync-target.ts';

export const CONTROLLER_NAME = 'sync';

/**
 * Reconciles one consumer object. A failure keeps its full cause for the
 * provider's log (the controller logs it), reaches the consumer only as a
 * generic Warning event, and is retried with backoff; conflicts retry quietly.
 */
export async function reconcileObject(key: string, target: SyncTarget, io: SyncIO): Promise<Result | undefined> {
  try {
    return await syncObject(key, target, io);
  } catch (err) {
    if (isConflict(err)) throw err;
    const ref = parseRemoteKey(key);
    const remote = io.remoteObject(key);
    const client = io.remoteClient(ref.cluster);
    if (remote !== undefined && client !== undefined) io.events.record(client, remote, SYNC_EVENTS.error);
    throw new Error(`failed to sync ${key}`, { cause: err });
  }
}
