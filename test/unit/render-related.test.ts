import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { render } from '../../src/render.ts';

const example = (name: string): unknown =>
  parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8')) as unknown;

describe('api-syncagent render, related objects', function () {
  it("shows where the example's credentials rule looks on each side and the Secret the consumer would get", async function () {
    const out = await render({
      publishedResource: example('publishedresource.yaml'),
      crd: example('crontab-crd.yaml'),
      object: example('crontab.yaml'),
      serviceObject: example('crontab-service-status.yaml'),
      relatedObjects: [example('credentials-secret.yaml')],
      clusterName: 'demo-cluster',
      workspacePath: 'root:demo',
      agentName: 'api-syncagent',
    });
    const related = parse(out.split('---\n').find((d) => d.startsWith('# Related objects')) ?? '') as unknown;
    expect(related).to.deep.equal([
      {
        rule: 'spec.related[0] (credentials)',
        origin: 'service',
        objects: [
          {
            kcp: { namespace: 'default', name: 'nightly-backup-credentials' },
            service: { namespace: 'demo-cluster', name: 'nightly-backup-1a2b3c4d-credentials' },
            copy: {
              apiVersion: 'v1',
              kind: 'Secret',
              type: 'Opaque',
              metadata: { name: 'nightly-backup-credentials', namespace: 'default' },
              data: { username: 'YmFja3Vw', password: 'czNjcjN0' },
            },
          },
        ],
      },
    ]);
  });
});
