import { expect } from 'chai';
import {
  type EventInput,
  type EventRecorder,
  type EventRecorderOptions,
  createEventRecorder,
} from '../../../src/kube/events.ts';
import type { KubeObject } from '../../../src/kube/object.ts';
import type { RestClient } from '../../../src/kube/rest-client.ts';
import { nopLogger } from '../../../src/log/logger.ts';
import { FakeClock } from '../../utils/fake-clock.ts';
import { settle } from '../../utils/settle.ts';

/**
 * Records the events written and holds each write until release() — a unit
 * test of the recorder's queueing only (which events, in which order), not of
 * any server behaviour.
 */
class HeldWrites {
  readonly written: string[] = [];
  private held: (() => void)[] = [];

  client(): RestClient {
    const client = {
      server: 'https://kcp.example/clusters/team-a',
      background: () => client,
      create: async (_path: string, event: KubeObject): Promise<KubeObject> => {
        await new Promise<void>((resolve) => this.held.push(resolve));
        this.written.push(String(event['reason']));
        return event;
      },
    };
    return client as unknown as RestClient;
  }

  async release(): Promise<void> {
    while (this.held.length > 0) {
      const held = this.held;
      this.held = [];
      for (const resolve of held) resolve();
      await settle();
    }
  }
}

const object = (uid: string): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'CronTab',
  metadata: { name: uid, namespace: 'default', uid },
});
const normal = (reason: string): EventInput => ({ type: 'Normal', reason, message: 'm' });
const warning = (reason: string): EventInput => ({ type: 'Warning', reason, message: 'm' });

/** A recorder without a rate limit of its own, on a fake clock unless given one. */
const recorderWith = (opts: Partial<EventRecorderOptions>): EventRecorder =>
  createEventRecorder({ component: 'test', logger: nopLogger, clock: new FakeClock(), qps: 0, burst: 1, ...opts });

describe('event recorder', function () {
  it("writes each object's latest event of a type while earlier ones wait, and keeps Warnings apart", async function () {
    const writes = new HeldWrites();
    const discarded: string[] = [];
    const recorder = recorderWith({
      concurrency: 1,
      onDiscarded: (why) => discarded.push(why),
    });
    const client = writes.client();
    recorder.record(client, object('a'), normal('ObjectAccepted')); // written at once (held)
    await settle();
    recorder.record(client, object('a'), normal('ObjectPlaced')); // waits…
    recorder.record(client, object('a'), warning('ReconcilingError'));
    recorder.record(client, object('b'), normal('ObjectPlaced'));
    recorder.record(client, object('a'), normal('ObjectStatusSynced')); // …and replaces ObjectPlaced of a
    await writes.release();
    expect(writes.written).to.deep.equal(['ObjectAccepted', 'ObjectStatusSynced', 'ReconcilingError', 'ObjectPlaced']);
    expect(discarded).to.deep.equal(['replaced']);
  });

  it('writes the Event of the object as it was recorded, with the time it was recorded', async function () {
    const written: KubeObject[] = [];
    const client = {
      server: 'https://kcp.example/clusters/team-a',
      background: () => client,
      create: (_path: string, event: KubeObject): Promise<KubeObject> => {
        written.push(event);
        return Promise.resolve(event);
      },
    };
    let time = new Date('2026-12-07T10:00:00Z');
    const clock = new FakeClock();
    const recorder = recorderWith({
      clock,
      coalesceMs: 1_000,
      now: () => time,
    });
    const subject: KubeObject = {
      ...object('a'),
      metadata: { ...object('a').metadata, resourceVersion: '7' },
      spec: {},
    };
    recorder.record(client as unknown as RestClient, subject, normal('ObjectPlaced'));
    subject.metadata.resourceVersion = '8';
    time = new Date('2026-12-07T10:00:05Z');
    clock.advance(1_000);
    await settle();
    expect(written).to.have.length(1);
    expect(written[0]).to.deep.include({
      involvedObject: {
        apiVersion: 'example.com/v1',
        kind: 'CronTab',
        name: 'a',
        namespace: 'default',
        uid: 'a',
        resourceVersion: '7',
      },
      reason: 'ObjectPlaced',
      firstTimestamp: '2026-12-07T10:00:00.000Z',
    });
  });

  it('drops the oldest waiting event beyond maxPending', async function () {
    const writes = new HeldWrites();
    const discarded: string[] = [];
    const recorder = recorderWith({
      concurrency: 1,
      maxPending: 2,
      onDiscarded: (why) => discarded.push(why),
    });
    const client = writes.client();
    recorder.record(client, object('a'), normal('First'));
    await settle();
    for (const uid of ['b', 'c', 'd']) recorder.record(client, object(uid), normal(`For-${uid}`));
    await writes.release();
    expect(writes.written).to.deep.equal(['First', 'For-c', 'For-d']);
    expect(discarded).to.deep.equal(['dropped']);
  });

  it('flush waits at most the given time, says how many events were left and gives them up', async function () {
    const writes = new HeldWrites();
    const clock = new FakeClock();
    const recorder = recorderWith({
      clock,
      concurrency: 1,
    });
    const client = writes.client();
    recorder.record(client, object('a'), normal('Stuck'));
    recorder.record(client, object('b'), normal('Waiting'));
    await settle();
    let left: number | undefined;
    const flushed = recorder.flush(5_000).then((n) => {
      left = n;
    });
    await settle();
    expect(left).to.equal(undefined);
    clock.advance(5_000);
    await flushed;
    expect(left).to.equal(1);
    // The write under way ends; the one left behind, and any event recorded
    // from now on, is never written (shutdown must not wait for them).
    recorder.record(client, object('c'), normal('TooLate'));
    await writes.release();
    expect(writes.written).to.deep.equal(['Stuck']);
    expect(await recorder.flush(5_000)).to.equal(1);
  });

  it("with coalesceMs, writes one event for an object's steps within the window, the latest", async function () {
    const writes = new HeldWrites();
    const clock = new FakeClock();
    const recorder = recorderWith({
      clock,
      concurrency: 2,
      coalesceMs: 1_000,
    });
    const client = writes.client();
    recorder.record(client, object('a'), normal('ObjectAccepted'));
    clock.advance(300);
    recorder.record(client, object('a'), normal('ObjectPlaced'));
    recorder.record(client, object('b'), normal('ObjectAccepted'));
    clock.advance(600);
    recorder.record(client, object('a'), normal('ObjectStatusSynced'));
    await writes.release();
    expect(writes.written, 'nothing before the window ends').to.deep.equal([]);
    clock.advance(100); // a's window (from its first event) ends
    await settle();
    await writes.release();
    expect(writes.written).to.deep.equal(['ObjectStatusSynced']);
    clock.advance(300); // b's window ends
    await settle();
    await writes.release();
    expect(writes.written).to.deep.equal(['ObjectStatusSynced', 'ObjectAccepted']);
  });

  it('flush writes what waits out a coalescing window at once', async function () {
    const writes = new HeldWrites();
    const clock = new FakeClock();
    const recorder = recorderWith({
      clock,
      concurrency: 1,
      coalesceMs: 1_000,
    });
    const client = writes.client();
    recorder.record(client, object('a'), normal('ObjectPlaced'));
    recorder.record(client, object('b'), normal('ObjectPlaced'));
    const flushed = recorder.flush(5_000);
    // The drainer sleeping out a's window wakes at its end and writes both.
    clock.advance(1_000);
    await settle();
    await writes.release();
    expect(await flushed).to.equal(0);
    expect(writes.written).to.deep.equal(['ObjectPlaced', 'ObjectPlaced']);
  });
});
