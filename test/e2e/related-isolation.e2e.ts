// Two tenants of one provider, with the same names, and the second one
// trying to reach the first one's objects: through a namespace the provider
// shares between all copies (upstream's own cert-manager example), through
// annotations and labels the agent writes itself, through a reference or
// template that names the other tenant's namespace, and through a selector
// that matches the other tenant's objects. Each time, nothing of tenant A is
// read into B's workspace or written over by B, on either side.
import { expect } from 'chai';
import type { KubeObject } from '../../src/kube/object.ts';
import {
  CERTIFICATES,
  CERTIFICATES_PATH,
  CRONTABS,
  CRONTABS_PATH,
  RELATED_ANNOTATION_PREFIX,
  certificate,
  crontab,
  ensureNamespace,
  localCertificate,
  localCrontab,
  markCopy,
  pathOf,
  plain,
  publishedResource,
  relatedAnnotations,
  secret,
  secretPath,
  tryGet,
  waitCopyOf,
  waitEvent,
  waitGone,
  waitObject,
  waitRelatedCondition,
} from '../utils/related-checks.ts';
import { type Consumer, StoryStage, storyAgentName } from '../utils/related-story.ts';

const REFUSED = 'RelatedResourceRefused';
/** Upstream's cert-manager example: every copy in one namespace, names made unique by the cluster. */
const SHARED_NAMING = {
  namespace: 'shared-certs',
  name: '{{ .ClusterName }}-{{ .Object.metadata.namespace | sha3short }}-{{ .Object.metadata.name | sha3short }}',
};
const sharedCopies = `/apis/certs.example.com/v1/namespaces/${SHARED_NAMING.namespace}/certificates`;

const tlsSecret = (object: Record<string, unknown>): Record<string, unknown> => ({
  identifier: 'tls-secret',
  origin: 'service',
  group: '',
  version: 'v1',
  resource: 'secrets',
  object,
});

describe("related resources: one tenant cannot reach another's objects", function () {
  const stage = new StoryStage('related-iso');
  before(async function () {
    await ensureNamespace(stage.local, SHARED_NAMING.namespace);
  });

  /** Two tenants bound to one export publishing `pr`, once it asks for `claims`. */
  const twoTenants = async (
    id: string,
    pr: KubeObject,
    probe: string,
    claims = ['/secrets'],
  ): Promise<[Consumer, Consumer]> => {
    const story = await stage.start({ id, publishedResources: [pr], consumers: 2, expectClaims: claims, probe });
    return [story.consumers[0]!, story.consumers[1]!];
  };

  /** The refusal as B sees it on its Certificate: an event and a condition naming the rule, and nothing of A's in it. */
  const expectRefused = async (b: Consumer, name: string, rule: string, a: Consumer): Promise<void> => {
    const event = await waitEvent(b.client, 'default', name, REFUSED);
    expect(event.type).to.equal('Warning');
    expect(event.message).to.include(rule);
    expect(event.message).to.not.include(a.ws.cluster);
    expect(event.message).to.not.match(/\bshared-certs\b/);
    const condition = await waitRelatedCondition(b.client, `${CERTIFICATES_PATH}/${name}`, 'False', REFUSED);
    expect(condition.message ?? '').to.not.include(a.ws.cluster);
  };

  it('cert-manager style, all copies in one namespace: a second tenant naming the same secretName is refused and gets no key', async function () {
    const [a, b] = await twoTenants(
      'certmgr',
      publishedResource('certmgr-certs', {
        resource: CERTIFICATES,
        naming: SHARED_NAMING,
        related: [tlsSecret({ reference: { path: 'spec.secretName' } })],
      }),
      CERTIFICATES_PATH,
    );
    await a.client.create(
      CERTIFICATES_PATH,
      certificate('web', { secretName: 'web-tls', dnsNames: ['a.example.com'] }),
    );
    const copyA = await waitCopyOf(stage.local, sharedCopies, a.ws.cluster, 'web');
    // The operator issues A's certificate.
    await stage.local.create(
      secretPath(SHARED_NAMING.namespace),
      secret(SHARED_NAMING.namespace, 'web-tls', { 'tls.key': 'A-PRIVATE-KEY', 'tls.crt': 'A-CERT' }),
    );
    await markCopy(stage.local, pathOf(sharedCopies, copyA));
    const gotA = await waitObject(a.client, secretPath('default', 'web-tls'), "A's TLS Secret in A's workspace");
    expect(plain(gotA)).to.deep.equal({ 'tls.key': 'A-PRIVATE-KEY', 'tls.crt': 'A-CERT' });

    await b.client.create(
      CERTIFICATES_PATH,
      certificate('web', { secretName: 'web-tls', dnsNames: ['b.example.com'] }),
    );
    const copyB = await waitCopyOf(stage.local, sharedCopies, b.ws.cluster, 'web');
    await markCopy(stage.local, pathOf(sharedCopies, copyB));
    await expectRefused(b, 'web', 'spec.related[0] (tls-secret)', a);
    expect(await tryGet(b.client, secretPath('default', 'web-tls')), "A's key in B's workspace").to.equal(undefined);
    expect(relatedAnnotations(await b.client.get(`${CERTIFICATES_PATH}/web`))).to.deep.equal({});
    expect(plain(await a.client.get(secretPath('default', 'web-tls')))).to.deep.equal({
      'tls.key': 'A-PRIVATE-KEY',
      'tls.crt': 'A-CERT',
    });
    expect(plain(await stage.local.get(secretPath(SHARED_NAMING.namespace, 'web-tls')))).to.deep.equal({
      'tls.key': 'A-PRIVATE-KEY',
      'tls.crt': 'A-CERT',
    });
  });

  it("annotations forged on B's object that point at A's Secret neither bring it to B nor delete it when B cleans up", async function () {
    const [a, b] = await twoTenants(
      'forged-ann',
      publishedResource('forged-ann-crontabs', {
        resource: CRONTABS,
        related: [
          {
            identifier: 'credentials',
            origin: 'service',
            kind: 'Secret',
            cleanup: true,
            object: { template: { template: 'my-credentials' } },
          },
        ],
      }),
      CRONTABS_PATH,
    );
    const operate = async (team: Consumer, password: string): Promise<void> => {
      await stage.local.create(secretPath(team.ws.cluster), secret(team.ws.cluster, 'my-credentials', { password }));
      await markCopy(stage.local, localCrontab(team.ws.cluster, 'my-crontab'));
    };
    await a.client.create(CRONTABS_PATH, crontab('my-crontab'));
    await waitObject(stage.local, localCrontab(a.ws.cluster, 'my-crontab'), "A's copy");
    await operate(a, 'A-SECRET');
    await waitObject(a.client, secretPath('default', 'my-credentials'), "A's Secret in A's workspace");

    const pointAtA = JSON.stringify({
      namespace: a.ws.cluster,
      name: 'my-credentials',
      apiVersion: 'v1',
      kind: 'Secret',
    });
    const forged = {
      [`${RELATED_ANNOTATION_PREFIX}credentials.0`]: pointAtA,
      [`${RELATED_ANNOTATION_PREFIX}credentials.1`]: pointAtA,
    };
    await b.client.create(CRONTABS_PATH, {
      ...crontab('my-crontab'),
      metadata: { name: 'my-crontab', namespace: 'default', annotations: forged },
    });
    const copyB = await waitObject(stage.local, localCrontab(b.ws.cluster, 'my-crontab'), "B's copy");
    expect(
      Object.keys(copyB.metadata.annotations ?? {}).filter((k) => k.startsWith(RELATED_ANNOTATION_PREFIX)),
      'forged annotations on the copy',
    ).to.deep.equal([]);
    await operate(b, 'B-SECRET');
    const gotB = await waitObject(
      b.client,
      secretPath('default', 'my-credentials'),
      "B's own Secret",
      (o) => plain(o)?.['password'] === 'B-SECRET',
    );
    expect(plain(gotB)).to.deep.equal({ password: 'B-SECRET' });
    const recorded = await waitObject(
      b.client,
      `${CRONTABS_PATH}/my-crontab`,
      "B's object to record B's own copy over the forged record",
      (o) => (relatedAnnotations(o)['credentials.0'] as { namespace?: string } | undefined)?.namespace === 'default',
    );
    expect(relatedAnnotations(recorded)['credentials.0']).to.deep.equal({
      namespace: 'default',
      name: 'my-credentials',
      apiVersion: 'v1',
      kind: 'Secret',
    });

    await b.client.delete(`${CRONTABS_PATH}/my-crontab`);
    await waitGone(b.client, `${CRONTABS_PATH}/my-crontab`, "B's object to be deleted");
    await waitGone(b.client, secretPath('default', 'my-credentials'), "B's copy of its Secret to be cleaned up");
    expect(plain(await tryGet(a.client, secretPath('default', 'my-credentials'))), "A's Secret in kcp").to.deep.equal({
      password: 'A-SECRET',
    });
    expect(
      plain(await tryGet(stage.local, secretPath(a.ws.cluster, 'my-credentials'))),
      "A's Secret on the service cluster",
    ).to.deep.equal({ password: 'A-SECRET' });
  });

  it("agent labels and owner annotations forged on B's objects do not make B's Secret land in A's namespace or replace A's", async function () {
    const [a, b] = await twoTenants(
      'forged-lbl',
      publishedResource('forged-lbl-crontabs', {
        resource: CRONTABS,
        related: [
          { identifier: 'config', origin: 'kcp', kind: 'Secret', object: { template: { template: 'app-config' } } },
        ],
      }),
      CRONTABS_PATH,
    );
    await a.client.create(secretPath('default'), secret('default', 'app-config', { mode: 'A' }));
    await a.client.create(CRONTABS_PATH, crontab('my-crontab'));
    const copyOfA = await waitObject(
      stage.local,
      secretPath(a.ws.cluster, 'app-config'),
      "A's Secret next to A's copy",
    );

    const forgedLabels = {
      'syncagent.kcp.io/agent-name': storyAgentName('forged-lbl'),
      'syncagent.kcp.io/remote-object-cluster': a.ws.cluster,
    };
    const forgedAnnotations = Object.fromEntries(
      Object.entries(copyOfA.metadata.annotations ?? {}).filter(([k]) => k.startsWith('syncagent.kcp.io/')),
    );
    await b.client.create(secretPath('default'), {
      ...secret('default', 'app-config', { mode: 'B' }, forgedLabels),
      metadata: { name: 'app-config', namespace: 'default', labels: forgedLabels, annotations: forgedAnnotations },
    });
    await b.client.create(CRONTABS_PATH, {
      ...crontab('my-crontab'),
      metadata: { name: 'my-crontab', namespace: 'default', labels: forgedLabels },
    });

    const copyOfB = await waitObject(
      stage.local,
      secretPath(b.ws.cluster, 'app-config'),
      "B's Secret next to B's copy",
    );
    expect(plain(copyOfB)).to.deep.equal({ mode: 'B' });
    const primaryCopyB = await stage.local.get(localCrontab(b.ws.cluster, 'my-crontab'));
    expect(primaryCopyB.metadata.labels?.['syncagent.kcp.io/remote-object-cluster']).to.equal(b.ws.cluster);
    for (const [k, v] of Object.entries(forgedAnnotations))
      expect(copyOfB.metadata.annotations?.[k], k).to.not.equal(v);
    expect(
      plain(await stage.local.get(secretPath(a.ws.cluster, 'app-config'))),
      "A's Secret on the service cluster",
    ).to.deep.equal({ mode: 'A' });
    const inA = (await stage.local.list(`/apis/example.com/v1/namespaces/${a.ws.cluster}/crontabs`)).items;
    expect(
      inA.map((o) => o.metadata.labels?.['syncagent.kcp.io/remote-object-cluster']),
      "copies in A's namespace",
    ).to.deep.equal([a.ws.cluster]);
  });

  it("a reference naming A's namespace does not bring A's Secret into B's workspace", async function () {
    const [a, b] = await twoTenants(
      'ref-ns',
      publishedResource('ref-ns-certs', {
        resource: CERTIFICATES,
        related: [
          tlsSecret({
            reference: { path: 'spec.secretName' },
            namespace: { reference: { path: 'spec.secretNamespace' } },
          }),
        ],
      }),
      CERTIFICATES_PATH,
    );
    await a.client.create(CERTIFICATES_PATH, certificate('web', { secretName: 'web-tls' }));
    await waitObject(stage.local, localCertificate(a.ws.cluster, 'web'), "A's copy");
    await stage.local.create(secretPath(a.ws.cluster), secret(a.ws.cluster, 'db-creds', { password: 'A-SECRET' }));

    await b.client.create(
      CERTIFICATES_PATH,
      certificate('web', { secretName: 'db-creds', secretNamespace: a.ws.cluster }),
    );
    await markCopy(
      stage.local,
      await waitObject(stage.local, localCertificate(b.ws.cluster, 'web'), "B's copy").then((o) =>
        localCertificate(b.ws.cluster, o.metadata.name ?? ''),
      ),
    );
    await expectRefused(b, 'web', 'spec.related[0] (tls-secret)', a);
    for (const ns of ['default', a.ws.cluster])
      expect(await tryGet(b.client, secretPath(ns, 'db-creds')), `db-creds in B's ${ns}`).to.equal(undefined);
    expect(
      (await stage.local.get(secretPath(a.ws.cluster, 'db-creds'))).metadata.annotations ?? {},
      "A's Secret, untouched",
    ).to.not.have.property('syncagent.kcp.io/related-owner');
  });

  it("a template naming A's namespace does not let B write its Secret there", async function () {
    const [a, b] = await twoTenants(
      'tpl-ns',
      publishedResource('tpl-ns-certs', {
        resource: CERTIFICATES,
        related: [
          {
            identifier: 'config',
            origin: 'kcp',
            kind: 'Secret',
            object: {
              template: { template: '{{ .Object.spec.configName }}' },
              namespace: {
                template: {
                  template:
                    '{{ if eq .Side "kcp" }}{{ .Object.metadata.namespace }}{{ else }}{{ .Object.spec.secretNamespace }}{{ end }}',
                },
              },
            },
          },
        ],
      }),
      CERTIFICATES_PATH,
    );
    await a.client.create(CERTIFICATES_PATH, certificate('web', {}));
    await waitObject(stage.local, localCertificate(a.ws.cluster, 'web'), "A's copy (its namespace exists)");

    await b.client.create(secretPath('default'), secret('default', 'app-config', { mode: 'B' }));
    await b.client.create(
      CERTIFICATES_PATH,
      certificate('web', { configName: 'app-config', secretNamespace: a.ws.cluster }),
    );
    await expectRefused(b, 'web', 'spec.related[0] (config)', a);
    expect(await tryGet(stage.local, secretPath(a.ws.cluster, 'app-config')), "B's Secret in A's namespace").to.equal(
      undefined,
    );
  });

  it("a selector that matches A's Secret in the shared namespace brings B nothing", async function () {
    const [a, b] = await twoTenants(
      'sel-shared',
      publishedResource('sel-shared-certs', {
        resource: CERTIFICATES,
        naming: SHARED_NAMING,
        related: [
          tlsSecret({
            selector: {
              matchLabels: { cert: '{{ .RemoteObject.metadata.name }}' },
              rewrite: { template: { template: '{{ .Value }}' } },
            },
          }),
        ],
      }),
      CERTIFICATES_PATH,
    );
    await a.client.create(CERTIFICATES_PATH, certificate('api', { dnsNames: ['a.example.com'] }));
    const copyA = await waitCopyOf(stage.local, sharedCopies, a.ws.cluster, 'api');
    await stage.local.create(
      secretPath(SHARED_NAMING.namespace),
      secret(SHARED_NAMING.namespace, 'api-tls-a', { 'tls.key': 'A-KEY' }, { cert: 'api' }),
    );
    await markCopy(stage.local, pathOf(sharedCopies, copyA));
    await waitObject(a.client, secretPath('default', 'api-tls-a'), "A's selected Secret in A's workspace");

    await b.client.create(CERTIFICATES_PATH, certificate('api', { dnsNames: ['b.example.com'] }));
    await markCopy(stage.local, pathOf(sharedCopies, await waitCopyOf(stage.local, sharedCopies, b.ws.cluster, 'api')));
    await expectRefused(b, 'api', 'spec.related[0] (tls-secret)', a);
    expect(
      (await b.client.list(secretPath('default'))).items.map((s) => s.metadata.name),
      "Secrets in B's workspace",
    ).to.not.include('api-tls-a');
    expect(plain(await a.client.get(secretPath('default', 'api-tls-a')))).to.deep.equal({ 'tls.key': 'A-KEY' });
  });
  it("in the shared namespace, B's ConfigMap of the same name does not overwrite the one A sent down", async function () {
    const [a, b] = await twoTenants(
      'shared-down',
      publishedResource('shared-down-certs', {
        resource: CERTIFICATES,
        naming: SHARED_NAMING,
        related: [
          {
            identifier: 'config',
            origin: 'kcp',
            group: '',
            version: 'v1',
            resource: 'configmaps',
            object: { reference: { path: 'spec.configName' } },
          },
        ],
      }),
      CERTIFICATES_PATH,
      ['/configmaps'],
    );
    const settings = (mode: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app-config', namespace: 'default' },
      data: { mode },
    });
    await a.client.create('/api/v1/namespaces/default/configmaps', settings('A'));
    await a.client.create(CERTIFICATES_PATH, certificate('web', { configName: 'app-config' }));
    const inShared = `/api/v1/namespaces/${SHARED_NAMING.namespace}/configmaps/app-config`;
    await waitObject(
      stage.local,
      inShared,
      "A's ConfigMap in the shared namespace",
      (o) => (o['data'] as { mode?: string }).mode === 'A',
    );

    await b.client.create('/api/v1/namespaces/default/configmaps', settings('B'));
    await b.client.create(CERTIFICATES_PATH, certificate('web', { configName: 'app-config' }));
    await expectRefused(b, 'web', 'spec.related[0] (config)', a);
    expect((await stage.local.get(inShared))['data']).to.deep.equal({ mode: 'A' });
  });
});
