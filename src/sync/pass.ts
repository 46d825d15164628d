import type { KubeObject } from '../kube/object.ts';
import type { RestClient } from '../kube/rest-client.ts';
import type { RemoteKey, SyncTarget } from '../translate/sync-target.ts';
import type { SyncIO } from './io.ts';

/** One sync pass of one consumer object: what every phase of the engine works on. */
export interface Pass {
  readonly key: string;
  readonly ref: RemoteKey;
  /** The consumer object in kcp. */
  readonly remote: KubeObject;
  /** Its copy on the service cluster, if there is one. */
  readonly local: KubeObject | undefined;
  /** A client for the consumer's workspace (through the virtual workspace). */
  readonly client: RestClient;
  readonly target: SyncTarget;
  readonly io: SyncIO;
}
