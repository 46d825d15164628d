// The memory curve's pure parts: its flags, the series it plans, the tables
// it writes, the heap figure it reads from each agent's metrics, and the plot.
import { expect } from 'chai';
import { capFor, type CurveOptions } from '../../../bench/curve-options.ts';
import {
  compareMiB,
  cpuMsPerObject,
  curveChart,
  curveTable,
  type StageResult,
  verdictTable,
} from '../../../bench/curve-report.ts';
import { seriesPlans } from '../../../bench/curve.ts';
import { heapBytes } from '../../../bench/metrics.ts';
import { parseOptions } from '../../../bench/options.ts';
import { launcherFlags, startModules } from '../../../bench/runtime-floor.ts';

const MiB = 2 ** 20;

const DEFAULT_CURVE: CurveOptions = {
  sizes: [0, 1000, 5000, 10000, 20000],
  workspaces: 20,
  workspaceAxis: [100, 1000],
  axisObjects: 1000,
  capSeconds: 300,
  capByAgent: {},
  steadySeconds: 30,
  steadyRate: 5,
  writeReadmePlot: false,
};

describe('bench --memory-curve flags', function () {
  const cases: { argv: string[]; curve: Partial<CurveOptions> }[] = [
    { argv: [], curve: {} },
    { argv: ['--curve-sizes', '500,0,200,200'], curve: { sizes: [0, 200, 500] } },
    { argv: ['--curve-workspaces', '5'], curve: { workspaces: 5 } },
    { argv: ['--curve-workspace-axis', 'none'], curve: { workspaceAxis: [] } },
    { argv: ['--curve-sizes', 'none'], curve: { sizes: [] } },
    { argv: ['--curve-workspace-axis', '1000,100'], curve: { workspaceAxis: [100, 1000] } },
    { argv: ['--curve-axis-objects', '2000'], curve: { axisObjects: 2000 } },
    { argv: ['--curve-cap', '90', '--curve-steady-seconds', '10'], curve: { capSeconds: 90, steadySeconds: 10 } },
    { argv: ['--curve-steady-rate', '0.5'], curve: { steadyRate: 0.5 } },
    { argv: ['--curve-cap', '600,upstream=120'], curve: { capSeconds: 600, capByAgent: { upstream: 120 } } },
    { argv: ['--curve-cap', 'upstream=60'], curve: { capSeconds: 300, capByAgent: { upstream: 60 } } },
    { argv: ['--write-readme-plot'], curve: { writeReadmePlot: true } },
  ];
  for (const c of cases) {
    it(`--memory-curve ${c.argv.join(' ')}`, function () {
      expect(parseOptions(['--memory-curve', ...c.argv]).curve).to.deep.equal({ ...DEFAULT_CURVE, ...c.curve });
    });
  }

  it('runs upstream and ours unless --agents says otherwise', function () {
    expect(parseOptions(['--memory-curve']).agents).to.deep.equal(['upstream', 'ours']);
    expect(parseOptions(['--memory-curve', '--agents', 'ours']).agents).to.deep.equal(['ours']);
    expect(parseOptions([]).agents).to.deep.equal(['upstream', 'ours', 'ours-limited']);
  });

  it('leaves the full table alone without --memory-curve', function () {
    expect(parseOptions([]).curve).to.equal(undefined);
  });

  const refused: { argv: string[]; error: RegExp }[] = [
    { argv: ['--memory-curve', '--curve-sizes', '0,-5'], error: /--curve-sizes: '-5' is not a whole number ≥ 0/ },
    { argv: ['--memory-curve', '--curve-sizes', '1e3x'], error: /--curve-sizes/ },
    { argv: ['--memory-curve', '--curve-sizes', ','], error: /at least one number/ },
    { argv: ['--memory-curve', '--curve-workspaces', '0'], error: /--curve-workspaces: '0'/ },
    { argv: ['--memory-curve', '--curve-cap', '0'], error: /--curve-cap must be a number > 0/ },
    { argv: ['--memory-curve', '--curve-cap', 'upstream=x'], error: /--curve-cap must be a number > 0/ },
    { argv: ['--memory-curve', '--curve-cap', 'nobody=5'], error: /--curve-cap: unknown agent 'nobody'/ },
    { argv: ['--curve-sizes', '0,200'], error: /--curve-sizes needs --memory-curve/ },
  ];
  for (const c of refused) {
    it(`refuses ${c.argv.join(' ')}`, function () {
      expect(() => parseOptions(c.argv)).to.throw(c.error);
    });
  }
});

describe('bench curve caps', function () {
  const curve = { capSeconds: 600, capByAgent: { upstream: 120 } };
  const cases: { kind: 'upstream' | 'ours'; cap: number }[] = [
    { kind: 'upstream', cap: 120 },
    { kind: 'ours', cap: 600 },
  ];
  for (const c of cases) {
    it(`${c.kind} gets ${c.cap} s`, function () {
      expect(capFor(curve, c.kind)).to.equal(c.cap);
    });
  }
});

describe('bench curve series', function () {
  it('plans the object axis, then one fresh point per workspace count', function () {
    expect(seriesPlans(DEFAULT_CURVE)).to.deep.equal([
      { axis: 'objects', workspaces: 20, sizes: [0, 1000, 5000, 10000, 20000] },
      { axis: 'workspaces', workspaces: 100, sizes: [1000] },
      { axis: 'workspaces', workspaces: 1000, sizes: [1000] },
    ]);
  });

  it('leaves the object axis out when there are no sizes', function () {
    expect(seriesPlans({ ...DEFAULT_CURVE, sizes: [], workspaceAxis: [1000] })).to.deep.equal([
      { axis: 'workspaces', workspaces: 1000, sizes: [1000] },
    ]);
  });
});

const stage = (over: Partial<StageResult>): StageResult => ({
  agent: 'ours',
  objects: 1000,
  workspaces: 20,
  finished: true,
  copied: 1000,
  syncSeconds: 12.34,
  rssPeakBytes: 150 * MiB,
  rssAfterSyncBytes: 120 * MiB,
  rssSteadyBytes: 110 * MiB,
  heapAfterSyncBytes: 40 * MiB,
  heapSteadyBytes: 35 * MiB,
  cpuSyncSeconds: 2,
  ...over,
});

describe('bench curve tables', function () {
  const upstreamCapped = stage({
    agent: 'upstream',
    finished: false,
    copied: 97,
    syncSeconds: 300,
    rssPeakBytes: 130 * MiB,
    rssSteadyBytes: 125 * MiB,
    heapSteadyBytes: undefined,
    cpuSyncSeconds: 9.7,
  });
  const rows: { name: string; stage: StageResult; row: string }[] = [
    {
      name: 'a finished sync',
      stage: stage({}),
      row: '| 1,000 | 20 | ours | 12.3 s | 150 MiB | 120 MiB | 110 MiB | 40 MiB / 35 MiB | 2.0 | 2.00 |',
    },
    {
      name: 'a sync cut at the cap',
      stage: upstreamCapped,
      row: '| 1,000 | 20 | upstream | not finished: copied 97/1,000 in 300.0 s | 130 MiB | 120 MiB | 125 MiB at the cap (not finished: copied 97/1,000) | 40 MiB / – | 9.7 | 100.00 |',
    },
    {
      name: 'a sync of which part was copied at a smaller size',
      stage: stage({ newObjects: 800 }),
      row: '| 1,000 | 20 | ours | 12.3 s (800 new) | 150 MiB | 120 MiB | 110 MiB | 40 MiB / 35 MiB | 2.0 | 2.00 |',
    },
    {
      name: 'the idle point',
      stage: stage({ objects: 0, copied: 0, heapAfterSyncBytes: undefined }),
      row: '| 0 | 20 | ours | idle | 150 MiB | 120 MiB | 110 MiB | – / 35 MiB | 2.0 | – |',
    },
  ];
  for (const c of rows) {
    it(`writes ${c.name}`, function () {
      const lines = curveTable({
        series: [{ axis: 'objects', workspaces: 20, setupSeconds: 1, stages: [c.stage], servers: [] }],
        floors: [],
      }).split('\n');
      expect(lines.slice(2)).to.deep.equal([c.row]);
    });
  }

  it('puts the runtime floors last', function () {
    const table = curveTable({
      series: [],
      floors: [{ label: 'Node alone', command: 'node -e …', plotted: true, rssBytes: 45 * MiB }],
    });
    expect(table.split('\n').at(-1)).to.equal('| – | – | runtime floor: Node alone | – | – | – | 45 MiB | – | – | – |');
  });

  const comparisons: { ours: number | undefined; upstream: number | undefined; text: string }[] = [
    { ours: 100 * MiB, upstream: 120 * MiB, text: 'at or below (100 vs 120 MiB)' },
    { ours: 120 * MiB, upstream: 120 * MiB, text: 'at or below (120 vs 120 MiB)' },
    { ours: 150 * MiB, upstream: 120 * MiB, text: 'above by 30 MiB (150 vs 120 MiB)' },
    { ours: undefined, upstream: 120 * MiB, text: '–' },
  ];
  for (const c of comparisons) {
    it(`compares ${String(c.ours)} with ${String(c.upstream)}: ${c.text}`, function () {
      expect(compareMiB(c.ours, c.upstream)).to.equal(c.text);
    });
  }

  it('compares ours with upstream per size, naming a capped upstream', function () {
    const table = verdictTable({
      series: [
        {
          axis: 'objects',
          workspaces: 20,
          setupSeconds: 1,
          stages: [stage({}), upstreamCapped, stage({ objects: 0 })],
          servers: [],
        },
      ],
    });
    expect(table.split('\n').slice(2)).to.deep.equal([
      '| 1,000 | 20 | at or below (110 vs 125 MiB) (upstream at its cap, not finished: copied 97/1,000) | above by 20 MiB (150 vs 130 MiB) |',
    ]);
  });

  const perObject: { stage: StageResult; ms: number | undefined }[] = [
    { stage: stage({ cpuSyncSeconds: 2, copied: 1000 }), ms: 2 },
    { stage: stage({ cpuSyncSeconds: 2, copied: 0 }), ms: undefined },
    { stage: stage({ cpuSyncSeconds: undefined }), ms: undefined },
  ];
  for (const c of perObject) {
    it(`CPU per object: ${String(c.stage.cpuSyncSeconds)} s over ${c.stage.copied} copies → ${String(c.ms)} ms`, function () {
      expect(cpuMsPerObject(c.stage)).to.equal(c.ms);
    });
  }
});

describe('bench curve plot data', function () {
  it('draws steady and peak per agent on the object axis, hollow where the cap cut the sync', function () {
    const chart = curveChart({
      startedAt: '2026-12-07T04:00:00.000Z',
      agents: ['upstream', 'ours'],
      floors: [
        { label: 'Node alone', command: 'node', plotted: true, rssBytes: 40 * MiB },
        { label: 'Node + undici', command: 'node', plotted: false, rssBytes: 50 * MiB },
      ],
      series: [
        {
          axis: 'objects',
          workspaces: 20,
          setupSeconds: 1,
          servers: [],
          stages: [
            stage({ agent: 'upstream', objects: 0 }),
            stage({ agent: 'upstream', finished: false }),
            stage({ objects: 0 }),
            stage({}),
          ],
        },
        { axis: 'workspaces', workspaces: 100, setupSeconds: 1, servers: [], stages: [stage({ workspaces: 100 })] },
      ],
    });
    expect(chart.series.map((s) => [s.label, s.dashed === true, s.points])).to.deep.equal([
      [
        'upstream: RSS steady',
        false,
        [
          { x: 0, y: 110, hollow: false },
          { x: 1000, y: 110, hollow: true },
        ],
      ],
      [
        'upstream: RSS peak',
        true,
        [
          { x: 0, y: 150, hollow: false },
          { x: 1000, y: 150, hollow: true },
        ],
      ],
      [
        'ours: RSS steady',
        false,
        [
          { x: 0, y: 110, hollow: false },
          { x: 1000, y: 110, hollow: false },
        ],
      ],
      [
        'ours: RSS peak',
        true,
        [
          { x: 0, y: 150, hollow: false },
          { x: 1000, y: 150, hollow: false },
        ],
      ],
    ]);
    expect(chart.references).to.deep.equal([{ label: 'floor: Node alone', y: 40 }]);
    expect(chart.title).to.equal('Agent RSS vs objects (20 workspaces), 2026-12-07');
  });
});

describe('bench agent heap from /metrics', function () {
  const text = [
    '# HELP nodejs_heap_size_used_bytes Process heap size used from Node.js in bytes.',
    'nodejs_heap_size_used_bytes 41943040',
    'go_memstats_heap_inuse_bytes 1.2582912e+07',
  ].join('\n');
  const cases: { kind: 'ours' | 'upstream' | 'ours-limited'; text: string; heap: unknown }[] = [
    { kind: 'ours', text, heap: { metric: 'nodejs_heap_size_used_bytes', bytes: 40 * MiB } },
    { kind: 'ours-limited', text, heap: { metric: 'nodejs_heap_size_used_bytes', bytes: 40 * MiB } },
    { kind: 'upstream', text, heap: { metric: 'go_memstats_heap_inuse_bytes', bytes: 12 * MiB } },
    { kind: 'upstream', text: 'process_resident_memory_bytes 1', heap: undefined },
  ];
  for (const c of cases) {
    it(`${c.kind}: ${c.heap === undefined ? 'nothing when the metric is missing' : (c.heap as { metric: string }).metric}`, function () {
      expect(heapBytes(c.kind, c.text)).to.deep.equal(c.heap);
    });
  }
});

describe('bench runtime floor: the launcher’s Node flags', function () {
  const cases: { name: string; script: string; flags: string[] }[] = [
    {
      name: 'a flags array',
      script:
        'node=x\nflags=(--enable-source-maps --max-semi-space-size=4)\nexec "$node" "${flags[@]}" "$root/dist/main.js" "$@"\n',
      flags: ['--enable-source-maps', '--max-semi-space-size=4'],
    },
    {
      name: 'flags on the exec line',
      script: 'exec "$node" --enable-source-maps "$root/dist/main.js" "$@"\n',
      flags: ['--enable-source-maps'],
    },
    { name: 'no flags', script: 'exec "$node" "$root/dist/main.js" "$@"\n', flags: [] },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.flags.join(' ') || 'none'}`, function () {
      expect(launcherFlags(c.script)).to.deep.equal(c.flags);
    });
  }
});

describe('runtime floor: the modules main.js loads at start', function () {
  it('reads the relative imports of the compiled main.js, not node: or package imports', function () {
    const mainJs = [
      "import { readFileSync } from 'node:fs';",
      'import { createAgent } from "./agent.js";',
      "import { serve } from './http/servers.js';",
      'import { parse } from "yaml";',
      'export const x = 1;',
    ].join('\n');
    expect(startModules(mainJs, '/srv/dist')).to.deep.equal([
      'file:///srv/dist/agent.js',
      'file:///srv/dist/http/servers.js',
    ]);
  });
});
