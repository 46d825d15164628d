import { appendFileSync, createWriteStream, openSync, readFileSync, type WriteStream } from 'node:fs';
import { execa, type ResultPromise } from 'execa';

/**
 * A process the harness started. Only these are ever stopped, by pid; nothing
 * is killed by name.
 */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** True once the process has exited, for whatever reason. */
  exited(): boolean;
  /** How it ended, once it has: its exit code or signal, and whether the harness had to SIGKILL it after SIGTERM. */
  exitStatus(): ExitStatus | undefined;
  /** SIGTERM, then SIGKILL after the grace period; resolves when the process is gone. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): string;
}

export interface ExitStatus {
  readonly exitCode?: number;
  readonly signal?: string;
  /** Still running when the grace period after the harness's SIGTERM ran out. */
  readonly forced: boolean;
}

const running = new Set<ManagedProcessImpl>();

/** How long a stopped process has between SIGTERM and SIGKILL, unless told. */
const STOP_GRACE_MS = 10_000;

class ManagedProcessImpl implements ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  private readonly child: Child;
  private readonly graceMs: number;
  private done = false;
  private stopping = false;
  private status: ExitStatus | undefined;
  private readonly finished: Promise<void>;

  constructor(name: string, child: Child, logFile: string, graceMs: number) {
    this.name = name;
    this.graceMs = graceMs;
    this.child = child;
    this.logFile = logFile;
    if (child.pid === undefined) throw new Error(`failed to start ${name}: no pid`);
    this.pid = child.pid;
    this.finished = child.then((result) => {
      this.recordExit(result);
      this.done = true;
      running.delete(this);
    });
  }

  exited(): boolean {
    return this.done;
  }

  exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  /**
   * A server that dies on its own (a signal from outside, say the kernel's
   * out-of-memory killer) often writes nothing; this line is then the only
   * trace of how it ended.
   */
  private recordExit(result: Awaited<Child>): void {
    this.status = {
      ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
      ...(result.signal === undefined ? {} : { signal: result.signal }),
      forced: this.stopping && result.isForcefullyTerminated,
    };
    const how = result.signal === undefined ? `exit code ${result.exitCode ?? 'unknown'}` : `signal ${result.signal}`;
    const who = !this.stopping
      ? 'on its own'
      : result.isForcefullyTerminated
        ? `after the harness stopped it (still running ${this.graceMs} ms after SIGTERM)`
        : 'after the harness stopped it';
    appendHarnessLine(
      this.logFile,
      `${this.name} (pid ${this.pid}) ended ${who}: ${how} at ${new Date().toISOString()}`,
    );
  }

  async stop(): Promise<void> {
    if (this.done) return;
    this.stopping = true;
    // execa sends SIGKILL if the process is still there after graceMs.
    this.child.kill('SIGTERM');
    await this.finished;
  }

  async kill(): Promise<void> {
    if (this.done) return;
    this.stopping = true;
    this.child.kill('SIGKILL');
    await this.finished;
  }

  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

function appendHarnessLine(logFile: string, line: string): void {
  try {
    appendFileSync(logFile, `[harness] ${line}\n`);
  } catch {
    // the log directory may be gone already
  }
}

export interface StartOptions {
  readonly logFile: string;
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** Between SIGTERM and SIGKILL when stopped; 10 s by default. */
  readonly stopGraceMs?: number;
}

interface ServerSpawnOptions {
  readonly stdin: 'ignore';
  readonly stdout: WriteStream;
  readonly stderr: WriteStream;
  readonly reject: false;
  readonly forceKillAfterDelay: number;
  readonly cleanup: false;
  readonly env: Record<string, string>;
  readonly cwd?: string;
}

type Child = ResultPromise<ServerSpawnOptions>;

function spawnWritingTo(log: WriteStream, file: string, args: readonly string[], opts: StartOptions): Child {
  return execa(file, args, {
    stdin: 'ignore',
    stdout: log,
    stderr: log,
    // The result says how the process ended (code, signal, start failure) instead of throwing.
    reject: false,
    forceKillAfterDelay: opts.stopGraceMs ?? STOP_GRACE_MS,
    // installSignalHandlers kills what is left with SIGKILL; execa's cleanup would only send SIGTERM.
    cleanup: false,
    env: opts.env ?? {},
    ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
  });
}

/**
 * Starts a long-running process with stdout and stderr appended to logFile.
 * The child writes to the file itself: piping its output through this
 * process (what execa does for a `{ file }` target) would make a busy
 * benchmark's event loop throttle the servers' logging, and their work with
 * it. A stream made on an open descriptor has that descriptor at once, and
 * execa hands such a stream to the child as it is.
 */
export function startProcess(name: string, file: string, args: readonly string[], opts: StartOptions): ManagedProcess {
  installSignalHandlers();
  const log = createWriteStream(opts.logFile, { fd: openSync(opts.logFile, 'a') });
  let child: Child;
  try {
    child = spawnWritingTo(log, file, args, opts);
  } finally {
    // The child holds its own copy of the descriptor.
    log.destroy();
  }
  // A binary that cannot be started leaves no pid; say why in its log.
  if (child.pid === undefined) {
    void child.then((result) => {
      appendHarnessLine(opts.logFile, `${name} failed to start: ${result.shortMessage}`);
    });
  }
  const proc = new ManagedProcessImpl(name, child, opts.logFile, opts.stopGraceMs ?? STOP_GRACE_MS);
  running.add(proc);
  return proc;
}

/** Stops every process the harness started that is still running. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

let handlersInstalled = false;
const interruptHooks: (() => void)[] = [];

/** Runs `hook` (synchronously) after the processes are killed on Ctrl-C or SIGTERM. */
export function onInterrupt(hook: () => void): void {
  interruptHooks.push(hook);
}

/**
 * On Ctrl-C or SIGTERM the test run ends at once; the servers it started must
 * not outlive it.
 */
function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const killAll = (): void => {
    for (const p of running) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    killAll();
    for (const hook of interruptHooks) hook();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', killAll);
}
