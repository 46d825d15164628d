import { expect } from 'chai';
import { ApiError } from '../../../src/kube/errors.ts';
import type { KubeList, KubeObject, WatchEvent } from '../../../src/kube/object.ts';
import type { Query } from '../../../src/kube/rest-client.ts';
import type { WatchReader } from '../../../src/kube/watch-stream.ts';
import { rememberAnswerText } from '../../../src/kube/answer-text.ts';
import { nopLogger } from '../../../src/log/logger.ts';
import { Informer, type InformerClient } from '../../../src/runtime/informer.ts';
import { FakeClock } from '../../utils/fake-clock.ts';
import { advanceSettling, settle } from '../../utils/settle.ts';

const obj = (name: string, resourceVersion: string): KubeObject => ({ metadata: { name, resourceVersion } });
const list = (resourceVersion: string, ...items: KubeObject[]): KubeList => ({ metadata: { resourceVersion }, items });
const event = (type: WatchEvent['type'], o: KubeObject): WatchEvent => ({ type, object: o });

function apiError(code: number, reason: string): ApiError {
  return new ApiError({ code, reason, message: reason, method: 'GET', path: '/api/v1/configmaps' });
}

/** How one watch call goes: the events it delivers, then a clean end, a failure, or (when last) staying open. */
interface WatchScript {
  events: WatchEvent[];
  end?: 'clean' | Error;
  /** Stays open until this settles, then ends. */
  openUntil?: Promise<void>;
}

/**
 * A client that answers lists and watches from scripts, in order, and records
 * the queries it got. Once a script runs out, a list fails and a watch stays
 * open until the informer stops.
 */
class ScriptedClient implements InformerClient {
  readonly lists: Query[] = [];
  readonly watches: Query[] = [];
  private readonly listAnswers: (KubeList | Error)[];
  private readonly watchScripts: WatchScript[];

  constructor(listAnswers: (KubeList | Error)[], watchScripts: WatchScript[]) {
    this.listAnswers = listAnswers;
    this.watchScripts = watchScripts;
  }

  list(_path: string, query?: Query): Promise<KubeList> {
    this.lists.push(query ?? {});
    const answer = this.listAnswers.shift() ?? new Error('no more lists scripted');
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(structuredClone(answer));
  }

  /** Events the informer claimed from their JSON line, undecoded (echoes of its recorded writes). */
  readonly skipped: WatchEvent[] = [];

  watch(
    _path: string,
    query: Query,
    reader: WatchReader | ((event: WatchEvent) => void),
    signal: AbortSignal,
  ): Promise<void> {
    const { onEvent, skipLine } = typeof reader === 'function' ? { onEvent: reader, skipLine: undefined } : reader;
    this.watches.push(query);
    const script = this.watchScripts.shift();
    if (script === undefined)
      return new Promise((resolve) => {
        signal.addEventListener(
          'abort',
          () => {
            resolve();
          },
          { once: true },
        );
      });
    for (const e of script.events) {
      // The line as an API server writes it.
      if (skipLine?.(JSON.stringify(e)) === true) this.skipped.push(e);
      else onEvent(structuredClone(e));
    }
    const end = script.end;
    const ending = (): Promise<void> => (end instanceof Error ? Promise.reject(end) : Promise.resolve());
    return script.openUntil === undefined ? ending() : script.openUntil.then(ending);
  }
}

interface Change {
  name: string;
  deleted: boolean;
}

function start(
  client: ScriptedClient,
  opts: { notFoundIsTransient?: boolean; watchTimeoutSeconds?: number } = {},
): {
  informer: Informer;
  clock: FakeClock;
  changes: Change[];
  stop: () => Promise<void>;
} {
  const clock = new FakeClock();
  const informer = new Informer({
    name: 'configmaps',
    client,
    path: '/api/v1/configmaps',
    keyOf: (o) => o.metadata.name ?? '',
    clock,
    logger: nopLogger,
    ...opts,
  });
  const changes: Change[] = [];
  informer.onChange((o, _old, deleted) => {
    changes.push({ name: o.metadata.name ?? '', deleted });
  });
  const abort = new AbortController();
  const done = informer.run(abort.signal);
  return {
    informer,
    clock,
    changes,
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

const names = (informer: Informer): string[] =>
  informer
    .list()
    .map((o) => o.metadata.name ?? '')
    .sort();

describe('Informer', function () {
  it("loads the list, then applies watch events from the list's resourceVersion", async function () {
    const client = new ScriptedClient(
      [list('10', obj('a', '5'), obj('b', '6'))],
      [
        {
          events: [event('ADDED', obj('c', '11')), event('MODIFIED', obj('a', '12')), event('DELETED', obj('b', '13'))],
        },
      ],
    );

    const { informer, changes, stop } = start(client);
    await settle();

    expect(informer.hasSynced()).to.equal(true);
    expect(names(informer)).to.deep.equal(['a', 'c']);
    expect(informer.get('a')?.metadata.resourceVersion).to.equal('12');
    expect(changes).to.deep.equal([
      { name: 'a', deleted: false },
      { name: 'b', deleted: false },
      { name: 'c', deleted: false },
      { name: 'a', deleted: false },
      { name: 'b', deleted: true },
    ]);
    expect(client.watches[0]).to.include({ resourceVersion: '10' });
    await stop();
  });

  it('caches listed and watched objects without their managedFields, the other metadata keys in their order', async function () {
    const withFields = (name: string, resourceVersion: string): KubeObject => ({
      metadata: { labels: { app: 'x' }, managedFields: [{ manager: 'kubectl' }], name, resourceVersion },
      spec: { replicas: 1 },
    });
    const client = new ScriptedClient(
      [list('10', withFields('a', '5'))],
      [{ events: [event('ADDED', withFields('b', '11'))] }],
    );
    const { informer, stop } = start(client);
    await settle();
    for (const [name, rv] of [
      ['a', '5'],
      ['b', '11'],
    ] as const) {
      const cached = informer.get(name);
      expect(cached).to.deep.equal({
        metadata: { labels: { app: 'x' }, name, resourceVersion: rv },
        spec: { replicas: 1 },
      });
      expect(Object.keys(cached?.metadata ?? {})).to.deep.equal(['labels', 'name', 'resourceVersion']);
    }
    await stop();
  });

  it('gives handlers the old object, and decodes none when every handler says it reads none', async function () {
    const olds = async (optOut: readonly boolean[]): Promise<(string | undefined)[][]> => {
      const client = new ScriptedClient([list('10', obj('a', '5'))], [{ events: [event('MODIFIED', obj('a', '12'))] }]);
      const informer = new Informer({
        name: 'configmaps',
        client,
        path: '/api/v1/configmaps',
        keyOf: (o) => o.metadata.name ?? '',
        compact: true,
        clock: new FakeClock(),
        logger: nopLogger,
      });
      const seen = optOut.map(() => [] as (string | undefined)[]);
      optOut.forEach((noOld, i) => {
        informer.onChange(
          (_o, old) => {
            seen[i]?.push(old?.metadata.resourceVersion);
          },
          noOld ? { old: false } : {},
        );
      });
      const abort = new AbortController();
      const done = informer.run(abort.signal);
      await settle();
      abort.abort();
      await done;
      return seen;
    };
    expect(await olds([false])).to.deep.equal([[undefined, '5']]);
    expect(await olds([true, false])).to.deep.equal([
      [undefined, '5'],
      [undefined, '5'],
    ]);
    expect(await olds([true])).to.deep.equal([[undefined, undefined]]);
  });

  it("relists at once when the watch's resourceVersion expired (410 Gone), reporting what changed meanwhile", async function () {
    const client = new ScriptedClient(
      [list('10', obj('a', '5'), obj('b', '6')), list('50', obj('a', '5'), obj('c', '40'))],
      [{ events: [], end: apiError(410, 'Expired') }],
    );

    const { informer, changes, stop } = start(client);
    await settle();

    expect(client.lists).to.have.length(2);
    expect(names(informer)).to.deep.equal(['a', 'c']);
    // a is unchanged (same resourceVersion), so only b's deletion and c's addition are reported.
    expect(changes.slice(2)).to.deep.equal([
      { name: 'b', deleted: true },
      { name: 'c', deleted: false },
    ]);
    expect(client.watches.map((q) => q['resourceVersion'])).to.deep.equal(['10', '50']);
    await stop();
  });

  it('resumes a watch that ended cleanly from the last resourceVersion, without a relist', async function () {
    const client = new ScriptedClient(
      [list('10', obj('a', '5'))],
      [{ events: [event('MODIFIED', obj('a', '20'))], end: 'clean' }],
    );

    const { stop } = start(client);
    await settle();

    expect(client.lists).to.have.length(1);
    expect(client.watches.map((q) => q['resourceVersion'])).to.deep.equal(['10', '20']);
    await stop();
  });

  it('keeps the resourceVersion of a bookmark, so a quiet collection resumes from it, without telling handlers', async function () {
    const client = new ScriptedClient(
      [list('10', obj('a', '5'))],
      [{ events: [event('BOOKMARK', obj('', '99'))], end: 'clean' }],
    );

    const { changes, stop } = start(client);
    await settle();

    expect(changes).to.deep.equal([{ name: 'a', deleted: false }]);
    expect(client.watches.map((q) => q['resourceVersion'])).to.deep.equal(['10', '99']);
    await stop();
  });

  it('restarts after failures with a capped exponential backoff, and relists each time', async function () {
    const client = new ScriptedClient(
      [
        apiError(500, 'InternalError'),
        apiError(503, 'ServiceUnavailable'),
        list('10', obj('a', '5')),
        list('30', obj('a', '5')),
      ],
      [{ events: [], end: new Error('connection reset') }],
    );

    const { informer, clock, stop } = start(client);
    await settle();
    expect(client.lists).to.have.length(1);
    expect(informer.hasSynced()).to.equal(false);

    await advanceSettling(clock, 199);
    expect(client.lists, 'retried before the first backoff (200 ms)').to.have.length(1);
    await advanceSettling(clock, 1);
    expect(client.lists).to.have.length(2);
    await advanceSettling(clock, 399);
    expect(client.lists, 'retried before the second backoff (400 ms)').to.have.length(2);
    await advanceSettling(clock, 1);
    expect(client.lists).to.have.length(3);
    expect(informer.hasSynced()).to.equal(true);

    // The watch then breaks: the third failure in a row waits 800 ms and relists.
    await advanceSettling(clock, 799);
    expect(client.lists).to.have.length(3);
    await advanceSettling(clock, 1);
    expect(client.lists).to.have.length(4);
    expect(client.watches.map((q) => q['resourceVersion'])).to.deep.equal(['10', '30']);
    await stop();
  });

  it('retries a watch that failed after a healthy spell at once, whatever failed before it', async function () {
    let cut: () => void = () => undefined;
    const openUntil = new Promise<void>((resolve) => {
      cut = resolve;
    });
    const client = new ScriptedClient(
      [apiError(500, 'InternalError'), apiError(503, 'ServiceUnavailable'), list('10'), list('20')],
      [{ events: [], end: new Error('connection reset'), openUntil }],
    );

    const { clock, stop } = start(client);
    await advanceSettling(clock, 700, 10);
    expect(client.lists).to.have.length(3);
    // The watch runs for a minute, then the connection is cut.
    await advanceSettling(clock, 60_000, 1_000);
    cut();
    await settle();
    await advanceSettling(clock, 200);
    expect(client.lists, 'relisted after the first backoff step (200 ms), not the third (800 ms)').to.have.length(4);
    await stop();
  });

  it('reports an outage from the first failure in a row, with the last error, until a relist succeeds', async function () {
    const client = new ScriptedClient(
      [
        list('10', obj('a', '5')),
        apiError(503, 'ServiceUnavailable'),
        apiError(500, 'InternalError'),
        list('30', obj('a', '5')),
      ],
      [{ events: [], end: new Error('connection reset') }],
    );
    const { informer, clock, stop } = start(client);
    await settle();
    // Listed, watch broke at once (time 0), first relist fails after 200 ms, second after 400 ms more.
    expect(informer.outageInfo()).to.deep.include({ since: 0 });
    expect(informer.outageInfo()?.error).to.include('connection reset');
    await advanceSettling(clock, 200);
    expect(informer.outageInfo()).to.deep.include({ since: 0 });
    expect(informer.outageInfo()?.error).to.include('ServiceUnavailable');
    await advanceSettling(clock, 400);
    expect(informer.outageInfo()?.error).to.include('InternalError');
    await advanceSettling(clock, 800);
    expect(informer.outageInfo(), 'after the successful relist').to.equal(undefined);
    expect(informer.hasSynced()).to.equal(true);
    await stop();
  });

  it('reports itself disconnected from a failed watch until the next list succeeds, keeping its cache meanwhile', async function () {
    const client = new ScriptedClient(
      [list('10', obj('a', '5')), apiError(503, 'ServiceUnavailable'), list('30', obj('a', '5'))],
      [{ events: [], end: new Error('connection refused') }],
    );

    const { informer, clock, stop } = start(client);
    const seen: boolean[] = [];
    seen.push(informer.isConnected());
    await settle();
    seen.push(informer.isConnected());
    await advanceSettling(clock, 200);
    seen.push(informer.isConnected());
    await advanceSettling(clock, 400);
    seen.push(informer.isConnected());

    expect(
      seen,
      'before the list, after the watch broke, after the failed relist, after the good relist',
    ).to.deep.equal([false, false, false, true]);
    expect(names(informer)).to.deep.equal(['a']);
    await stop();
  });

  it('ends a watch the server never ends (a silent connection) shortly after its timeout, and resumes it without a relist', async function () {
    // No watch script: the watch stays open and silent, as on a black-holed connection.
    const client = new ScriptedClient([list('10', obj('a', '5'))], []);

    const { clock, stop } = start(client, { watchTimeoutSeconds: 10 });
    await settle();
    expect(client.watches).to.have.length(1);
    const timeoutSeconds = Number(client.watches[0]?.['timeoutSeconds']);
    await advanceSettling(clock, timeoutSeconds * 1000, 100);
    expect(client.watches, "ended before the server's own timeout").to.have.length(1);
    await advanceSettling(clock, 15_000, 100);

    expect(client.watches).to.have.length(2);
    expect(client.watches[1]?.['resourceVersion']).to.equal('10');
    expect(client.lists).to.have.length(1);
    await stop();
  });

  it('waits at most 10 s between attempts however long the server stays down', async function () {
    const down = Array.from({ length: 12 }, () => apiError(503, 'ServiceUnavailable'));
    const client = new ScriptedClient([...down, list('10')], []);

    const { informer, clock, stop } = start(client);
    // 200 + 400 + … + 6400 ms, then 10 s per attempt.
    await advanceSettling(clock, 12_600 + 5 * 10_000 + 100, 100);
    expect(client.lists).to.have.length(12);
    await advanceSettling(clock, 10_000, 100);

    expect(client.lists).to.have.length(13);
    expect(informer.hasSynced()).to.equal(true);
    await stop();
  });

  it('retries a type that is not served yet (404) within 250 ms when told it is transient', async function () {
    const client = new ScriptedClient([...notServedYet(4), list('10')], []);

    const { informer, clock, stop } = start(client, { notFoundIsTransient: true });
    await settle();
    await advanceSettling(clock, 200 + 250 + 250 + 250);

    expect(client.lists).to.have.length(5);
    expect(informer.hasSynced()).to.equal(true);
    await stop();
  });

  it('retries a watch cut soon after start at once, however many 404s the type had before it was served', async function () {
    const client = new ScriptedClient(
      [...notServedYet(4), list('10'), list('20')],
      [{ events: [], end: new Error('connection reset') }],
    );

    const { clock, stop } = start(client, { notFoundIsTransient: true });
    await settle();
    await advanceSettling(clock, 200 + 250 + 250 + 250);
    expect(client.lists).to.have.length(5);
    // The watch broke at once: the first failure of the connection waits 200 ms, not 3.2 s.
    await advanceSettling(clock, 200);
    expect(client.lists).to.have.length(6);
    await stop();
  });

  it('stops when its signal aborts, also while waiting to retry', async function () {
    const client = new ScriptedClient([apiError(500, 'InternalError')], []);

    const { clock, stop } = start(client);
    await settle();
    await stop();

    expect(clock.pending()).to.equal(0);
  });
  describe('the echo of its own recorded write', function () {
    const cases: { name: string; answered: boolean; skipped: number }[] = [
      {
        name: 'is dropped undecoded when the write came from a RestClient (its answer text is known)',
        answered: true,
        skipped: 1,
      },
      { name: 'is decoded as usual when the written object has no answer text', answered: false, skipped: 0 },
    ];
    for (const c of cases) {
      it(`${c.name}, and the watch resumes after it`, async function () {
        let endFirstWatch = (): void => undefined;
        const client = new ScriptedClient(
          [list('10', obj('a', '5'))],
          [
            { events: [], openUntil: new Promise((resolve) => (endFirstWatch = resolve)), end: 'clean' },
            { events: [event('MODIFIED', obj('a', '12'))], end: 'clean' },
          ],
        );
        const { informer, changes, stop } = start(client);
        await settle();
        const written = obj('a', '12');
        if (c.answered) rememberAnswerText(written, `${JSON.stringify(written)}\n`);
        informer.recordWrite('a', '5', written);
        endFirstWatch();
        await settle();

        expect(client.skipped).to.have.length(c.skipped);
        expect(client.watches[2]).to.include({ resourceVersion: '12' });
        expect(informer.get('a')?.metadata.resourceVersion).to.equal('12');
        // The list, then the write; the echo itself changes nothing either way.
        expect(changes).to.deep.equal([
          { name: 'a', deleted: false },
          { name: 'a', deleted: false },
        ]);
        await stop();
      });
    }
  });
});

/** The answers of a virtual workspace that does not serve the type yet. */
function notServedYet(times: number): ApiError[] {
  return Array.from({ length: times }, () => apiError(404, 'NotFound'));
}
