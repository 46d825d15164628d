// Per-shard figures of a sharded run: which shard each consumer workspace is
// pinned to, and the initial sync and steady latencies split by that shard.
// Pure: the measured times come in as maps, nothing is read here.
import { between, type Percentiles } from './util.ts';

/** The shard the i-th consumer workspace is pinned to: round robin, so each shard gets half of two. */
export function pinnedShard(index: number, shards: readonly string[]): string | undefined {
  return shards.length === 0 ? undefined : shards[index % shards.length];
}

export interface ShardFigures {
  readonly shard: string;
  /** Objects of the initial sync in this shard's workspaces. */
  readonly objects: number;
  readonly copied: number;
  readonly ready: number;
  /** Agent start → the shard's last copy; undefined unless all were copied. */
  readonly copiesSeconds?: number;
  /** Agent start → the shard's last consumer object Ready; undefined unless all were. */
  readonly readySeconds?: number;
  readonly steadyCreateToCopyMs: Percentiles;
  readonly steadyReadyToReadyMs: Percentiles;
}

export interface ShardTimes {
  /** Logical cluster name → shard name. */
  readonly shardOfCluster: ReadonlyMap<string, string>;
  /** Keys are `<cluster>/<namespace>/<name>`. */
  readonly initialKeys: readonly string[];
  readonly steadyKeys: readonly string[];
  readonly startedAt: number;
  readonly createdAt: ReadonlyMap<string, number>;
  readonly copyAt: ReadonlyMap<string, number>;
  readonly markedAt: ReadonlyMap<string, number>;
  readonly readyAt: ReadonlyMap<string, number>;
}

const clusterOf = (key: string): string => key.slice(0, key.indexOf('/'));

/** The seconds from start to the last of keys in map, or undefined when one is missing. */
function allDoneSeconds(
  keys: readonly string[],
  map: ReadonlyMap<string, number>,
  startedAt: number,
): number | undefined {
  if (keys.length === 0 || keys.some((k) => !map.has(k))) return undefined;
  return (Math.max(...keys.map((k) => map.get(k)!)) - startedAt) / 1000;
}

/** One entry per shard, in the order of `shards`. */
export function perShard(shards: readonly string[], t: ShardTimes): ShardFigures[] {
  const on = (keys: readonly string[], shard: string): string[] =>
    keys.filter((k) => t.shardOfCluster.get(clusterOf(k)) === shard);
  return shards.map((shard) => {
    const initial = on(t.initialKeys, shard);
    const steady = on(t.steadyKeys, shard);
    const copiesSeconds = allDoneSeconds(initial, t.copyAt, t.startedAt);
    const readySeconds = allDoneSeconds(initial, t.readyAt, t.startedAt);
    return {
      shard,
      objects: initial.length,
      copied: initial.filter((k) => t.copyAt.has(k)).length,
      ready: initial.filter((k) => t.readyAt.has(k)).length,
      ...(copiesSeconds === undefined ? {} : { copiesSeconds }),
      ...(readySeconds === undefined ? {} : { readySeconds }),
      steadyCreateToCopyMs: between(steady, t.createdAt, t.copyAt),
      steadyReadyToReadyMs: between(steady, t.markedAt, t.readyAt),
    };
  });
}
