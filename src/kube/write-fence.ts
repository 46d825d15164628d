/** What the REST client and undici ask before a write, and tell when they send one. */
export interface Fence {
  /** False refuses the write. */
  mayWrite(): boolean;
  /**
   * Told when undici sends a write the fence allowed (`write` is
   * `METHOD path`); the returned function is called once it has its answer
   * or has failed.
   */
  sending?(write: string): () => void;
}

/**
 * The leader-election write fence of one agent process. Asking it right
 * before the bytes leave is as close as a process can get: an HTTP/2 write
 * reaches the socket only in a later turn of the event loop, so a process
 * frozen in between (SIGSTOP, a paused VM) sends it on waking, possibly
 * after another replica has taken over. No check from inside the process
 * can stop that, as client-go's leader election says of itself too. What
 * the fence can do is say so: a write that was sent while the replica held
 * the lease and got its answer only after it lost it, or was still
 * unanswered when the loss was noticed, is reported, so an operator (and the
 * failover test) can tell exactly which writes may have landed next to the
 * new leader's.
 */
export class WriteFence implements Fence {
  private check: () => boolean = () => true;
  /** Without leader election there is no lease to lose, and nothing to track per write. */
  private guarded = false;
  private readonly unanswered = new Map<number, string>();
  private nextId = 0;
  private readonly onRaced: (write: string) => void;

  /** `onRaced` is told of each write that may have landed after the lease was lost. */
  constructor(onRaced: (write: string) => void) {
    this.onRaced = onRaced;
  }

  /** From now on, writes need `check` to say yes (the elector's holdsLease). */
  guardWith(check: () => boolean): void {
    this.check = check;
    this.guarded = true;
  }

  mayWrite(): boolean {
    return this.check();
  }

  sending(write: string): () => void {
    if (!this.guarded) return noop;
    const id = this.nextId++;
    this.unanswered.set(id, write);
    return () => {
      if (this.unanswered.delete(id) && !this.check()) this.onRaced(write);
    };
  }

  /** The lease was lost: every write still unanswered may land after the new leader's. */
  lost(): void {
    for (const write of this.unanswered.values()) this.onRaced(write);
    this.unanswered.clear();
  }
}

const noop = (): void => undefined;
