// Measured, not wished: upstream's agent (v0.7.0) on the cert-manager setup
// of its own documentation (every copy in one service namespace, the TLS
// Secret found by the Certificate's `spec.secretName`). A second workspace
// that names the same secretName receives the first workspace's Secret, key
// included. related-isolation.e2e.ts runs the same story against ours, which
// refuses it (docs/compatibility.md, "Related objects chosen by values a
// consumer controls").
import { expect } from 'chai';
import {
  CERTIFICATES, CERTIFICATES_PATH, certificate, ensureNamespace, markCopy, pathOf, plain, publishedResource, secret, secretPath, waitCopyOf, waitObject,
} from '../utils/related-checks.ts';
import { StoryStage } from '../utils/related-story.ts';

const SHARED = 'shared-certs';
const naming = { namespace: SHARED, name: '{{ .ClusterName }}-{{ .Object.metadata.namespace | sha3short }}-{{ .Object.metadata.name | sha3short }}' };
const copies = `/apis/certs.example.com/v1/namespaces/${SHARED}/certificates`;

describe('upstream v0.7.0 and related objects chosen by the consumer', function () {
  const stage = new StoryStage('related-upstream');
  before(async function () {
    await ensureNamespace(stage.local, SHARED);
  });

  it('hands tenant A\'s TLS key to tenant B when B names the same secretName', async function () {
    const story = await stage.start({
      id: 'upstream-certmgr',
      agent: 'upstream',
      publishedResources: [publishedResource('upstream-certmgr-certs', {
        resource: CERTIFICATES, naming,
        related: [{ identifier: 'tls-secret', origin: 'service', group: '', version: 'v1', resource: 'secrets', object: { reference: { path: 'spec.secretName' } } }],
      })],
      consumers: 2,
      expectClaims: ['/secrets'],
      probe: CERTIFICATES_PATH,
    });
    const [a, b] = [story.consumers[0]!, story.consumers[1]!];
    await a.client.create(CERTIFICATES_PATH, certificate('web', { secretName: 'web-tls', dnsNames: ['a.example.com'] }));
    const copyA = await waitCopyOf(stage.local, copies, a.ws.cluster, 'web');
    await stage.local.create(secretPath(SHARED), secret(SHARED, 'web-tls', { 'tls.key': 'A-PRIVATE-KEY' }));
    await markCopy(stage.local, pathOf(copies, copyA));
    await waitObject(a.client, secretPath('default', 'web-tls'), 'A\'s TLS Secret in A\'s workspace');

    await b.client.create(CERTIFICATES_PATH, certificate('web', { secretName: 'web-tls', dnsNames: ['b.example.com'] }));
    await markCopy(stage.local, pathOf(copies, await waitCopyOf(stage.local, copies, b.ws.cluster, 'web')));
    const leaked = await waitObject(b.client, secretPath('default', 'web-tls'), 'A\'s TLS Secret in B\'s workspace');
    expect(plain(leaked)).to.deep.equal({ 'tls.key': 'A-PRIVATE-KEY' });
  });
});
