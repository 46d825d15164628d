import { expect } from 'chai';
import { LAST_KNOWN_STATE_ANNOTATION } from '../../../src/apis/v1alpha1/constants.ts';
import type { KubeObject } from '../../../src/kube/object.ts';
import { ANNOTATIONS_SIZE_LIMIT, lastKnownState, withState } from '../../../src/translate/local-object.ts';

const copy = (annotations: Record<string, string>, image: string): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'CronTab',
  metadata: { name: 'c', namespace: 'ns', annotations },
  spec: { image },
});
/** The state repeats the copy's spec and its own annotations, as desiredLocalObject records it. */
function stateOf(obj: KubeObject): KubeObject {
  const { [LAST_KNOWN_STATE_ANNOTATION]: _old, ...annotations } = obj.metadata.annotations ?? {};
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: 'c', annotations }, spec: obj['spec'] };
}

describe('withState: the last-known state on a copy', function () {
  const cases: { name: string; annotations: Record<string, string>; image: string; recorded: boolean }[] = [
    { name: 'a small object records its state', annotations: { team: 'a' }, image: 'nginx:1', recorded: true },
    {
      name: 'a 260 KiB spec is too large to repeat in an annotation',
      annotations: {},
      image: 'x'.repeat(260 * 1024),
      recorded: false,
    },
    { name: 'a 200 KiB spec still fits', annotations: {}, image: 'w'.repeat(200 * 1024), recorded: true },
    {
      name: "250 KiB of the consumer's own annotations leave no room for the state",
      annotations: { big: 'y'.repeat(250 * 1024) },
      image: 'nginx:1',
      recorded: false,
    },
    {
      name: 'multi-byte characters count by their UTF-8 bytes',
      annotations: {},
      image: '雲'.repeat(90 * 1024),
      recorded: false,
    },
    {
      name: 'an old state is replaced by the new one',
      annotations: { [LAST_KNOWN_STATE_ANNOTATION]: '{"old":true}' },
      image: 'nginx:2',
      recorded: true,
    },
    {
      name: 'an old state is dropped when the new one does not fit',
      annotations: { [LAST_KNOWN_STATE_ANNOTATION]: '{"old":true}' },
      image: 'z'.repeat(260 * 1024),
      recorded: false,
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const obj = copy(c.annotations, c.image);
      const out = withState(obj, stateOf(obj));
      const { [LAST_KNOWN_STATE_ANNOTATION]: _old, ...own } = c.annotations;
      if (c.recorded) {
        expect(lastKnownState(out)).to.deep.equal(stateOf(obj));
      } else {
        expect(out.metadata.annotations).to.deep.equal(own);
        const size = Object.entries(out.metadata.annotations ?? {}).reduce((n, [k, v]) => n + k.length + v.length, 0);
        expect(size).to.be.at.most(ANNOTATIONS_SIZE_LIMIT);
      }
      expect(out['spec']).to.deep.equal(obj['spec']);
    });
  }
});
