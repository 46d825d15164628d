import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';

// The agent's idle memory is mostly the code it loads (docs/adr/0009). These
// stay unloaded until used: Node's bundled undici (what fetch and WebSocket
// run on), undici's index (all of undici), and @bufbuild/cel (loaded by the
// first `cel` rule). A fresh Node loads what main.ts loads at start and
// reports what came in; this process cannot tell, its other tests load them.
const PROBE = `
import { registerHooks } from 'node:module';
import { readFileSync } from 'node:fs';
const loaded = [];
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); loaded.push(r.url); return r; } });
const main = readFileSync('src/main.ts', 'utf8');
for (const m of main.matchAll(/^import (?!type)[^;]*? from '(\\.\\/[^']+)';/gm)) await import(new URL(m[1], new URL('src/', 'file://' + process.cwd() + '/')).href);
console.log(JSON.stringify({
  nodeUndici: process.moduleLoadList.some((m) => m.includes('deps/undici')),
  undiciIndex: loaded.some((u) => u.endsWith('node_modules/undici/index.js')),
  cel: loaded.some((u) => u.includes('node_modules/@bufbuild/cel/')),
  undiciAgent: loaded.some((u) => u.endsWith('undici/lib/dispatcher/agent.js')),
}));
`;

describe('modules the agent loads at start', function () {
  this.timeout(30_000);

  it('include undici Agent, and neither undici index, Node bundled undici, nor CEL', async function () {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', PROBE]);
    expect(JSON.parse(stdout)).to.deep.equal({ nodeUndici: false, undiciIndex: false, cel: false, undiciAgent: true });
  });
});
