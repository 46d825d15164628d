// What Node costs before our agent does any work: RSS of an idle Node, of an
// idle Node that loaded only node:tls and node:http2 (what any client of kcp
// over HTTPS and HTTP/2 loads: the floor of every Node agent), of an idle
// Node that loaded the modules dist/main.js loads at start, with and without
// the Node flags bin/api-syncagent passes, and of Node with each runtime
// dependency alone. No agent can go below the matching floor.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RuntimeFloor } from './curve-report.ts';
import { rssBytes } from './sampler.ts';
import { sleep } from './util.ts';
import { REPO_ROOT } from '../test/utils/tools.ts';

const IDLE = 'setInterval(() => {}, 1000);';
const TLS_HTTP2 = "await import('node:tls'); await import('node:http2');";

/**
 * The modules dist/main.js imports (their own imports follow), without
 * main.js itself, which would start the agent. Modules the agent loads only
 * when a PublishedResource needs them (CEL) are left out, as at start.
 */
export function startModules(mainJs: string, distDir: string): string[] {
  return [...mainJs.matchAll(/^import [^;]*? from ["'](\.\/[^"']+)["'];/gm)].map(
    (m) => pathToFileURL(join(distDir, m[1] ?? '')).href,
  );
}

/**
 * The Node flags bin/api-syncagent starts the agent with: its `flags=(…)`
 * array, or else the words between `exec "$node"` and the script. The
 * flags it adds only under a container limit are left out (the bench sets none).
 */
export function launcherFlags(script: string): string[] {
  const m = /^flags=\(([^)]*)\)/m.exec(script) ?? /^exec "\$node" (.*?) "\$root\/dist\/main\.js"/m.exec(script);
  return (m?.[1] ?? '').split(/\s+/).filter((w) => w.startsWith('--'));
}

/** The agent's runtime dependencies (package.json), each measured alone to show which import costs what. */
function dependencies(): string[] {
  const pkg: unknown = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const deps = typeof pkg === 'object' && pkg !== null && 'dependencies' in pkg ? pkg.dependencies : undefined;
  return typeof deps === 'object' && deps !== null ? Object.keys(deps) : [];
}

/** Starts node with args, waits until it has settled, and returns its RSS (median of 5 reads). */
async function idleRss(args: readonly string[]): Promise<number | undefined> {
  const child = spawn(process.execPath, [...args], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await sleep(4_000);
    const reads: number[] = [];
    for (let i = 0; i < 5; i++) {
      const v = child.pid === undefined ? undefined : rssBytes(child.pid);
      if (v !== undefined) reads.push(v);
      await sleep(200);
    }
    return reads.sort((a, b) => a - b)[Math.floor(reads.length / 2)];
  } finally {
    child.kill('SIGKILL');
  }
}

export async function measureRuntimeFloors(): Promise<RuntimeFloor[]> {
  const flags = launcherFlags(readFileSync(join(REPO_ROOT, 'bin/api-syncagent'), 'utf8'));
  const dist = join(REPO_ROOT, 'dist');
  const load = `${startModules(readFileSync(join(dist, 'main.js'), 'utf8'), dist)
    .map((u) => `await import(${JSON.stringify(u)});`)
    .join(' ')} ${IDLE}`;
  const runs: { label: string; command: string; args: string[]; plotted?: boolean }[] = [
    { label: 'Node alone', command: `node -e '${IDLE}'`, args: ['-e', IDLE], plotted: true },
    {
      plotted: true,
      label: 'Node + node:tls + node:http2',
      command: `node --input-type=module -e "await import('node:tls'); await import('node:http2'); setInterval…"`,
      args: ['--input-type=module', '-e', `${TLS_HTTP2} ${IDLE}`],
    },
    {
      plotted: true,
      label: "Node + main.js's modules",
      command: 'node --input-type=module -e "<import what dist/main.js imports>; setInterval…"',
      args: ['--input-type=module', '-e', load],
    },
    {
      label: `Node + main.js's modules, ${flags.join(' ')}`,
      command: `the same with bin/api-syncagent's flags: ${flags.join(' ')}`,
      args: [...flags, '--input-type=module', '-e', load],
    },
    ...dependencies().map((dep) => ({
      label: `Node + ${dep}`,
      command: `node --input-type=module -e "await import('${dep}'); ${IDLE}"`,
      args: ['--input-type=module', '-e', `await import(${JSON.stringify(dep)}); ${IDLE}`],
    })),
  ];
  const floors: RuntimeFloor[] = [];
  for (const r of runs) {
    const rss = await idleRss(r.args);
    floors.push({
      label: r.label,
      command: r.command,
      plotted: r.plotted === true,
      ...(rss === undefined ? {} : { rssBytes: rss }),
    });
  }
  return floors;
}
