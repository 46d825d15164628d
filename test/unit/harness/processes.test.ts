// The harness's processes: what the e2e tests and the benchmark rely on when
// a server is started, stopped or dies. Real child processes (this Node).
import { expect } from 'chai';
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess } from '../../utils/processes.ts';

const node = process.execPath;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForLog(logFile: string, text: string): Promise<void> {
  while (!readFileSync(logFile, 'utf8').includes(text)) await sleep(10);
}

describe('harness processes', function () {
  let dir: string;
  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'processes-'));
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets the child write its output to the log file itself, not through this process', async function () {
    const logFile = join(dir, 'server.log');
    const proc = startProcess(
      'server',
      node,
      ['-e', 'console.log("out"); console.error("err"); setTimeout(() => {}, 60_000)'],
      { logFile },
    );
    expect(readlinkSync(`/proc/${proc.pid}/fd/1`)).to.equal(logFile);
    expect(readlinkSync(`/proc/${proc.pid}/fd/2`)).to.equal(logFile);
    await waitForLog(logFile, 'err');
    await proc.stop();
    expect(readFileSync(logFile, 'utf8')).to.match(
      /^out\nerr\n\[harness\] server \(pid \d+\) ended after the harness stopped it: signal SIGTERM at /,
    );
  });

  it('records in the log how a process that ended on its own ended', async function () {
    const logFile = join(dir, 'crash.log');
    const proc = startProcess('crash', node, ['-e', 'process.exit(3)'], { logFile });
    while (!proc.exited()) await sleep(10);
    expect(proc.logTail(2)).to.match(/crash \(pid \d+\) ended on its own: exit code 3 at /);
  });

  it('kills a process that ignores SIGTERM once the grace period is over', async function () {
    const logFile = join(dir, 'stubborn.log');
    const script = 'process.on("SIGTERM", () => {}); console.log("ready"); setTimeout(() => {}, 60_000)';
    const proc = startProcess('stubborn', node, ['-e', script], { logFile, stopGraceMs: 200 });
    await waitForLog(logFile, 'ready');
    await proc.stop();
    expect(proc.logTail(2)).to.match(
      /stubborn \(pid \d+\) ended after the harness stopped it \(still running 200 ms after SIGTERM\): signal SIGKILL/,
    );
  });

  it('kills at once, as a crash would', async function () {
    const logFile = join(dir, 'crashed.log');
    const proc = startProcess(
      'crashed',
      node,
      ['-e', 'process.on("SIGTERM", () => {}); setTimeout(() => {}, 60_000)'],
      { logFile },
    );
    await proc.kill();
    expect(proc.exited()).to.equal(true);
    expect(proc.logTail(2)).to.match(/crashed \(pid \d+\) ended after the harness stopped it: signal SIGKILL/);
  });

  it('fails at once for a binary that does not exist and says why in its log', async function () {
    const logFile = join(dir, 'missing.log');
    expect(() => startProcess('missing', join(dir, 'no-such-binary'), [], { logFile })).to.throw(
      'failed to start missing: no pid',
    );
    await waitForLog(logFile, '[harness] missing failed to start: Command failed with ENOENT');
  });
});
