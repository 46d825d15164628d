// Measures the gap the write fence cannot close (src/kube/write-fence.ts):
// a child process writes with the agent's REST client, fence and interceptor
// to a local TLS server; this process freezes it (SIGSTOP) at random moments,
// thaws it with its "lease" lost, and counts the writes that reached the
// server after the thaw, and how many of them the child reported.
//
//   node hack/freeze-window.ts [rounds] [--http1]
//
// Not a test: it measures Node's HTTP/2 client, which hands frames to the
// socket only in a later turn of the event loop. Run in docs/reliability.md.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fenceAtSend } from '../src/kube/fence-at-send.ts';
import { RestClient } from '../src/kube/rest-client.ts';
import { Agent } from '../src/kube/undici-agent.ts';
import { WriteFence } from '../src/kube/write-fence.ts';
import { systemClock } from '../src/runtime/clock.ts';

const FROZEN_MS = 2_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

if (process.argv[2] === '--child') await writer(process.argv[3] ?? '', process.argv[4] === '--http1');
else await freezer(Number(process.argv[2] ?? 40), process.argv.includes('--http1'));

/** 32 loops of PATCHes with some CPU work each; prints "RACED <path>" for each write the fence reports. */
async function writer(url: string, http1: boolean): Promise<void> {
  const fence = new WriteFence((write) => process.stdout.write(`RACED ${write.split(' ')[1] ?? ''}\n`));
  // The "lease": renewed every 200 ms; a gap over 1 s (a freeze) loses it for 1.5 s, as a takeover would.
  let renewedAt = performance.now();
  let lastTick = renewedAt;
  let lostUntil = 0;
  setInterval(() => {
    const now = performance.now();
    if (now - lastTick > 1_000) {
      lostUntil = now + 1_500;
      fence.lost();
    }
    lastTick = now;
    if (now >= lostUntil) renewedAt = now;
  }, 200);
  fence.guardWith(() => performance.now() - renewedAt < 600);
  const dispatcher = new Agent({
    connections: http1 ? 32 : 4,
    allowH2: !http1,
    connect: { rejectUnauthorized: false },
  }).compose(fenceAtSend);
  const client = new RestClient(
    { server: url, dispatcher, authHeaders: () => Promise.resolve({}) },
    { qps: 0, burst: 1, clock: systemClock, timeoutMs: 5_000, fence },
  );
  let n = 0;
  const loop = async (i: number): Promise<void> => {
    for (;;) {
      let x = 0;
      for (let k = 0; k < 20_000; k++) x += Math.sqrt(k);
      await client
        .patch(`/api/v1/namespaces/default/configmaps/w${i}-${n++}`, { data: { x: String(x) } })
        .catch(() => sleep(20));
    }
  };
  await Promise.all(Array.from({ length: 32 }, (_, i) => loop(i)));
}

async function freezer(rounds: number, http1: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'freeze-window-'));
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  const subject = ['-subj', '/CN=localhost', '-days', '1'];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, ...subject], {
    stdio: 'ignore',
  });
  const arrivals: { at: number; path: string }[] = [];
  const server = createSecureServer(
    { key: readFileSync(key), cert: readFileSync(cert), allowHTTP1: true },
    (req, res) => {
      arrivals.push({ at: Date.now(), path: req.url });
      req.resume();
      req.on('end', () => {
        setTimeout(() => res.end('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}'), Math.random() * 5);
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const args = [import.meta.filename, '--child', url, ...(http1 ? ['--http1'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const raced = new Set<string>();
  let rest = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) if (l.startsWith('RACED ')) raced.add(l.slice('RACED '.length));
  });
  await sleep(1_500);
  const totals = { rounds, freezesWithLateWrites: 0, lateWrites: 0, reported: 0, unreported: 0 };
  for (let r = 0; r < rounds; r++) {
    await sleep(200 + Math.random() * 500);
    child.kill('SIGSTOP');
    await sleep(FROZEN_MS);
    const thawedAt = Date.now();
    child.kill('SIGCONT');
    // The child holds no lease for 1.5 s after waking: whatever arrives now crossed the freeze.
    await sleep(1_200);
    const late = arrivals.filter((a) => a.at >= thawedAt && a.at < thawedAt + 1_200);
    if (late.length > 0) totals.freezesWithLateWrites += 1;
    totals.lateWrites += late.length;
    for (const a of late) totals[raced.has(a.path) ? 'reported' : 'unreported'] += 1;
    await sleep(800);
  }
  console.log(JSON.stringify({ transport: http1 ? 'HTTP/1.1' : 'HTTP/2', ...totals, writes: arrivals.length }));
  child.kill('SIGKILL');
  server.close();
}
