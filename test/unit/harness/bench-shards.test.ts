// The sharded bench's pure parts: --shards parsing, shard pinning, per-shard figures.
import { expect } from 'chai';
import { parseOptions } from '../../../bench/options.ts';
import { perShard, pinnedShard, type ShardTimes } from '../../../bench/shards.ts';

describe('bench --shards', function () {
  const cases: { argv: string[]; shards: 1 | 2; skipLimit: boolean }[] = [
    { argv: [], shards: 1, skipLimit: false },
    { argv: ['--shards', '1'], shards: 1, skipLimit: false },
    { argv: ['--shards', '2'], shards: 2, skipLimit: true },
    { argv: ['--shards', '1', '--skip-limit'], shards: 1, skipLimit: true },
  ];
  for (const c of cases) {
    it(`${c.argv.join(' ') || '(no flags)'} → ${c.shards} shard(s), limit ${c.skipLimit ? 'skipped' : 'measured'}`, function () {
      const opts = parseOptions(c.argv);
      expect({ shards: opts.shards, skipLimit: opts.skipLimit }).to.deep.equal({
        shards: c.shards,
        skipLimit: c.skipLimit,
      });
    });
  }

  it('skips upstream on the sharded kcp and says why', function () {
    const opts = parseOptions(['--shards', '2', '--agents', 'upstream,ours']);
    expect(opts.agents).to.deep.equal(['ours']);
    expect(opts.skippedAgents.map((s) => s.kind)).to.deep.equal(['upstream']);
  });

  it('runs every agent asked for on the one-shard kcp', function () {
    const opts = parseOptions(['--agents', 'upstream,ours']);
    expect(opts.agents).to.deep.equal(['upstream', 'ours']);
    expect(opts.skippedAgents).to.deep.equal([]);
  });

  for (const bad of ['3', '0', 'two']) {
    it(`refuses --shards ${bad}`, function () {
      expect(() => parseOptions(['--shards', bad])).to.throw(/--shards must be 1 or 2/);
    });
  }
});

describe('bench shard pinning', function () {
  it('gives the shards the workspaces in turn', function () {
    const shards = ['root', 'shard-1'];
    expect([0, 1, 2, 3, 4].map((i) => pinnedShard(i, shards))).to.deep.equal([
      'root',
      'shard-1',
      'root',
      'shard-1',
      'root',
    ]);
  });

  it('pins nothing on the one-shard kcp', function () {
    expect(pinnedShard(0, [])).to.equal(undefined);
  });
});

describe('bench per-shard figures', function () {
  const times = (over: Partial<ShardTimes>): ShardTimes => ({
    shardOfCluster: new Map([
      ['a', 'root'],
      ['b', 'shard-1'],
    ]),
    initialKeys: ['a/default/o-0', 'a/default/o-1', 'b/default/o-0'],
    steadyKeys: ['a/default/s-0', 'b/default/s-1', 'b/default/s-2'],
    startedAt: 1_000,
    createdAt: new Map([
      ['a/default/s-0', 10_000],
      ['b/default/s-1', 20_000],
      ['b/default/s-2', 30_000],
    ]),
    copyAt: new Map([
      ['a/default/o-0', 2_000],
      ['a/default/o-1', 3_000],
      ['b/default/o-0', 5_000],
      ['a/default/s-0', 10_100],
      ['b/default/s-1', 20_300],
      ['b/default/s-2', 30_500],
    ]),
    markedAt: new Map([['a/default/s-0', 10_200]]),
    readyAt: new Map([
      ['a/default/o-0', 4_000],
      ['a/default/o-1', 6_000],
      ['a/default/s-0', 10_250],
    ]),
    ...over,
  });

  it('splits the initial sync and the steady latencies by the shard of each object’s workspace', function () {
    const [root, second] = perShard(['root', 'shard-1'], times({}));
    expect(root).to.deep.include({ shard: 'root', objects: 2, copied: 2, ready: 2, copiesSeconds: 2, readySeconds: 5 });
    expect(root!.steadyCreateToCopyMs).to.deep.include({ count: 1, p50: 100 });
    expect(root!.steadyReadyToReadyMs).to.deep.include({ count: 1, p50: 50 });
    expect(second).to.deep.include({ shard: 'shard-1', objects: 1, copied: 1, ready: 0, copiesSeconds: 4 });
    expect(second).to.not.have.property('readySeconds');
    expect(second!.steadyCreateToCopyMs).to.deep.include({ count: 2, max: 500 });
    expect(second!.steadyReadyToReadyMs.count).to.equal(0);
  });

  it('reports a shard without objects as empty, with no times', function () {
    const [f] = perShard(['shard-2'], times({}));
    expect(f).to.deep.include({ shard: 'shard-2', objects: 0, copied: 0, ready: 0 });
    expect(f).to.not.have.property('copiesSeconds');
  });
});
